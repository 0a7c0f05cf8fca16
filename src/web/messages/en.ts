/** English: the reference catalogue. Every other language has exactly these keys. */
export const en = {
  'page.reference': 'If you contact support, quote this reference: {reference}',
  'page.support': 'Need help? Contact {contact}.',
  'page.backToWallet': 'Go back to your wallet and start again from there.',

  'arrival.missing.title': 'Open this page from your wallet',
  'arrival.missing.body': 'This page is part of getting a credential into your wallet, and it can only be opened from there.',
  'arrival.expired.title': 'This link has expired',
  'arrival.expired.body': 'The link from your wallet is only valid for a short time, and it ran out before it reached us.',
  'arrival.invalid.title': 'We could not check this link',
  'arrival.invalid.body': 'The link that brought you here is not one we can trust, so we stopped here to keep you safe.',
  'arrival.used.title': 'This link has already been used',
  'arrival.used.body': 'Each link from your wallet works once. If you already finished, your wallet has what it needs.',

  'interaction.notFound.title': 'We could not find this step',
  'interaction.notFound.body': 'This page belongs to another browser or has been cleared. It may have been opened in a different app.',
  'interaction.expired.title': 'This took too long',
  'interaction.expired.body': 'For your security, each attempt has a time limit, and it ran out. Nothing was issued.',
  'interaction.completed.title': 'Already completed',
  'interaction.completed.body': 'You have already finished here. Return to your wallet to see the result.',
  'interaction.completed.next': 'You can close this page.',

  'form.expired.title': 'This form has expired',
  'form.expired.body': 'We could not confirm that this form came from this page. Go back, reload the page and try again.',
  'request.invalid.title': 'Something was wrong with that request',
  'request.invalid.body': 'We could not understand what your browser sent.',
  'page.notFound.title': 'Page not found',
  'page.notFound.body': 'There is nothing at this address.',
  'server.error.title': 'Something went wrong on our side',
  'server.error.body': 'Nothing has been issued. Please try again in a moment.',
  'server.unavailable.title': 'Please try again',
  'server.unavailable.body': 'We could not save your answer just now, so we have not sent you back yet. Try again in a moment.',
  'server.unreachable.title': 'Please try again in a moment',
  'server.unreachable.body': 'We cannot reach our records just now, so we cannot go on yet. Nothing has been issued. Reload this page in a moment.',

  'step.progress': 'Step {current} of {total}',
  'step.errorSummary': 'There is a problem',

  'terms.title': 'Terms of use',
  'terms.greeting': 'Hello {name},',
  'terms.intro': 'Please read and accept the terms of use before {issuer} issues your credential.',
  'terms.version': 'Version {version}',
  'terms.checkbox': 'I have read and accept the terms of use',
  'terms.accept': 'Accept and continue',
  'terms.decline': 'Decline',
  'terms.error.required': 'Tick the box to accept the terms, or choose Decline.',
  'terms.declined': 'The user declined the terms of use.',
} as const;

export type MessageKey = keyof typeof en;
