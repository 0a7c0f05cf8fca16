import { defineMessages } from '../../../web/i18n.js';

/** The email-code step's words: the page and the mail. */
export const emailCodeMessages = defineMessages({
  en: {
    'emailCode.title': 'Confirm your email address',
    'emailCode.intro': '{issuer} will send a 6-digit code to {address}, to confirm that this address is yours.',
    'emailCode.send': 'Send me a code',
    'emailCode.sent': 'We sent a code to {address}. It works for {lifetime}.',
    'emailCode.enter': 'Enter the code from the email we sent to {address}.',
    'emailCode.label': 'Code',
    'emailCode.hint': '6 digits. The email can take a minute to arrive; check your spam folder too.',
    'emailCode.verify': 'Confirm',
    'emailCode.verifyAndFinish': 'Confirm and return to your wallet',
    'emailCode.resend': 'Send a new code',
    'emailCode.decline': 'I can’t get the code',
    'emailCode.declineHint':
      'If you can’t get the code, {issuer} cannot confirm your email address and will not issue your credential.',
    'emailCode.noTriesLeft.title': 'No tries left',
    'emailCode.noTriesLeft.body':
      'That code was not right, and it was your last try. {issuer} cannot confirm your email address, so it will not issue your credential.',
    'emailCode.noTriesLeft.next': 'To try again, go back to your wallet and start again.',
    'emailCode.noTriesLeft.end': 'Return to your wallet',
    'emailCode.noAddress.intro':
      'We have no email address for you that we can send a code to, so this step cannot be completed. Nothing has been issued.',
    'emailCode.noAddress.end': 'Return to your wallet',
    'emailCode.error.format': 'Enter the 6 digits of the code.',
    'emailCode.error.wrong': 'That code is not right. You have {left} more tries.',
    'emailCode.error.wrongLast': 'That code is not right. You have 1 more try.',
    'emailCode.error.expired': 'This code has expired. Send a new one.',
    'emailCode.error.noCode': 'There is no code to check yet. Send a new one.',
    'emailCode.error.refused':
      'We could not send a code to this address. If you cannot get email there, choose “I can’t get the code”.',
    'emailCode.tooSoon': 'We just sent a code: check your email. You can ask for a new one in {seconds} seconds.',
    'emailCode.error.noMoreCodes':
      'We cannot send more codes in this journey. Enter the last code we sent, or choose “I can’t get the code”.',
    'emailCode.mail.subject': 'Your code for {issuer}',
    'emailCode.mail.code': 'Your code for {issuer} is:',
    'emailCode.mail.lifetime': 'It works for {lifetime}. Enter it on the page where you asked for it.',
    'emailCode.mail.ignore':
      'If you did not ask for this code, you can ignore this email. Never give the code to anyone.',
  },
  fr: {
    'emailCode.title': 'Confirmez votre adresse e-mail',
    'emailCode.intro':
      '{issuer} va envoyer un code à 6 chiffres à {address}, pour confirmer que cette adresse est la vôtre.',
    'emailCode.send': 'M’envoyer un code',
    'emailCode.sent': 'Nous avons envoyé un code à {address}. Il est valable {lifetime}.',
    'emailCode.enter': 'Saisissez le code reçu par e-mail à l’adresse {address}.',
    'emailCode.label': 'Code',
    'emailCode.hint': '6 chiffres. L’e-mail peut mettre une minute à arriver ; vérifiez aussi vos indésirables.',
    'emailCode.verify': 'Confirmer',
    'emailCode.verifyAndFinish': 'Confirmer et revenir à votre portefeuille',
    'emailCode.resend': 'Envoyer un nouveau code',
    'emailCode.decline': 'Je ne reçois pas le code',
    'emailCode.declineHint':
      'Si vous ne recevez pas le code, {issuer} ne peut pas confirmer votre adresse e-mail et ne délivrera pas votre attestation.',
    'emailCode.noTriesLeft.title': 'Plus aucun essai',
    'emailCode.noTriesLeft.body':
      'Ce code n’est pas le bon, et c’était votre dernier essai. {issuer} ne peut pas confirmer votre adresse e-mail et ne délivrera donc pas votre attestation.',
    'emailCode.noTriesLeft.next': 'Pour réessayer, retournez dans votre portefeuille et recommencez.',
    'emailCode.noTriesLeft.end': 'Revenir à votre portefeuille',
    'emailCode.noAddress.intro':
      'Nous n’avons pas d’adresse e-mail à laquelle envoyer un code, cette étape ne peut donc pas aboutir. Rien n’a été délivré.',
    'emailCode.noAddress.end': 'Revenir à votre portefeuille',
    'emailCode.error.format': 'Saisissez les 6 chiffres du code.',
    'emailCode.error.wrong': 'Ce code n’est pas le bon. Il vous reste {left} essais.',
    'emailCode.error.wrongLast': 'Ce code n’est pas le bon. Il vous reste 1 essai.',
    'emailCode.error.expired': 'Ce code a expiré. Demandez-en un nouveau.',
    'emailCode.error.noCode': 'Il n’y a pas encore de code à vérifier. Demandez-en un nouveau.',
    'emailCode.error.refused':
      'Nous n’avons pas pu envoyer de code à cette adresse. Si vous ne pouvez pas y recevoir d’e-mails, choisissez « Je ne reçois pas le code ».',
    'emailCode.tooSoon':
      'Nous venons d’envoyer un code : consultez vos e-mails. Vous pourrez en demander un nouveau dans {seconds} secondes.',
    'emailCode.error.noMoreCodes':
      'Nous ne pouvons plus envoyer de code pour cette démarche. Saisissez le dernier code reçu, ou choisissez « Je ne reçois pas le code ».',
    'emailCode.mail.subject': 'Votre code pour {issuer}',
    'emailCode.mail.code': 'Votre code pour {issuer} est :',
    'emailCode.mail.lifetime': 'Il est valable {lifetime}. Saisissez-le sur la page où vous l’avez demandé.',
    'emailCode.mail.ignore':
      'Si vous n’avez pas demandé ce code, ignorez cet e-mail. Ne communiquez jamais ce code à personne.',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type EmailCodeMessageKey = keyof typeof emailCodeMessages.en;
