/** English: the reference catalogue. Every other language has exactly these keys. */
export const en = {
  'page.reference': 'Support reference: {reference}',
  'page.support': 'Need help? Contact {contact}.',
  'page.backToWallet': 'Go back to your wallet and start again from there.',
  'page.tryAgain': 'Try again',
  'page.continue': 'Continue',

  'arrival.missing.title': 'Open this page from your wallet',
  'arrival.missing.body':
    'This page is part of getting a credential into your wallet, and it can only be opened from there.',
  'arrival.expired.title': 'This link has expired',
  'arrival.expired.body':
    'The link from your wallet is only valid for a short time, and it ran out before it reached us.',
  'arrival.invalid.title': 'We could not check this link',
  'arrival.invalid.body':
    'The link that brought you here is not one we can trust, so we stopped here to keep you safe.',
  'arrival.used.title': 'This link has already been used',
  'arrival.used.body': 'Each link from your wallet works once. If you already finished, your wallet has what it needs.',
  'arrival.unavailable.title': 'Please try again',
  'arrival.unavailable.body': 'We could not start just now. Reload this page in a moment; your link still works.',
  'arrival.tooMany.title': 'Too many attempts',
  'arrival.tooMany.body':
    'We have had too many attempts from your network in the last minute. Wait a minute, then reload this page.',

  'interaction.notFound.title': 'We could not find this step',
  'interaction.notFound.body':
    'This page belongs to another browser or has been cleared. It may have been opened in a different app.',
  'interaction.expired.title': 'This took too long',
  'interaction.expired.body': 'For your security, each attempt has a time limit, and it ran out. Nothing was issued.',
  'interaction.finished.title': 'You have finished here',
  'interaction.finished.body': 'Your wallet continues. If it has not opened by itself, use the button below.',
  'interaction.finished.button': 'Return to your wallet',
  'interaction.tooManyCodes.title': 'No tries left',
  'interaction.tooManyCodes.body':
    'That code was not right, and it was the last try: too many wrong codes were entered. No credential will be issued.',
  'interaction.tooManyCodes.next':
    'Your wallet shows that {issuer} did not issue it. To try again, start again from your wallet.',
  'interaction.completed.title': 'Already completed',
  'interaction.completed.body': 'You have already finished here. Return to your wallet to see the result.',
  'interaction.completed.next': 'You can close this page.',
  'interaction.declined.title': 'You declined',
  'interaction.declined.body': 'You chose not to go on, so nothing was issued.',

  'interaction.failed.title': 'We could not confirm it was you',
  'interaction.failed.body': 'A check on this step did not pass, so nothing was issued.',
  'return.unmatched.title': 'This answer is not for this browser',
  'return.unmatched.body':
    'This sign-in answer does not belong to a journey in this browser, so nothing has changed. If you are signing in somewhere, finish there, or go back to the page you came from.',
  'step.unavailable.title': 'Please try again',
  'step.unavailable.body':
    'A service this step needs is not answering just now. Nothing was used up: try again in a moment.',
  'proxy.notHttps.title': 'This service is not set up correctly',
  'proxy.notHttps.body':
    'We could not open a secure session here, so we stopped before using your link. It still works once the service is fixed; contact the issuer if this goes on.',

  'form.expired.title': 'This form has expired',
  'form.expired.body':
    'We could not confirm that this form came from this page. Go back, reload the page and try again.',
  'form.replaced.title': 'This page has expired',
  'form.replaced.body':
    'You started again from your wallet, maybe in another tab or window, so this page no longer works. Continue with the newest one.',
  'form.ended.body':
    'You started again from your wallet, maybe in another tab or window, so this page no longer works.',
  'request.invalid.title': 'Something was wrong with that request',
  'request.invalid.body': 'We could not understand what your browser sent.',
  'request.tooLong.title': 'This link is too long',
  'request.tooLong.body':
    'The address that brought you here is longer than any we send or accept, so we did not open it.',
  'page.notFound.title': 'Page not found',
  'page.notFound.body': 'There is nothing at this address.',
  'server.error.title': 'Something went wrong on our side',
  'server.error.body': 'Nothing has been issued. Please try again in a moment.',
  'server.unavailable.title': 'Please try again',
  'server.unavailable.body':
    'We could not save your answer just now, so we have not sent you back yet. Try again in a moment.',
  'server.unreachable.title': 'Please try again in a moment',
  'server.unreachable.body':
    'We cannot reach our records just now, so we cannot go on yet. Nothing has been issued. Reload this page in a moment.',

  'step.progress': 'Step {current} of {total}',
  'step.whose': 'Credential for {who}',
  'step.errorSummary': 'There is a problem',
  'step.finish': 'Finish and return to your wallet',

  'language.label': 'Language',
  'language.name': 'English',
} as const;

export type MessageKey = keyof typeof en;
