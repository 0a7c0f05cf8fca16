import { defineMessages } from '../../../web/i18n.js';

/** The authenticator-app step's words: the page and the "app added" mail. */
export const authenticatorAppMessages = defineMessages({
  en: {
    'authenticatorApp.title': 'Confirm it is you with an authenticator app',
    'authenticatorApp.enrol.intro':
      '{issuer} asks you to set up an authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis). Next time, you confirm it is you with a code from it.',
    'authenticatorApp.enrol.scan': 'In the app, add an account and scan this QR code.',
    'authenticatorApp.enrol.qrLabel': 'QR code that adds {issuer} to your authenticator app',
    'authenticatorApp.enrol.manual': 'Cannot scan it? Add the account by hand in the app, and type this key:',
    'authenticatorApp.enrol.confirm': 'Then enter the code the app shows, to confirm it is set up.',
    'authenticatorApp.use.intro': 'Enter the code your authenticator app shows for {issuer}.',
    'authenticatorApp.label': 'Code',
    'authenticatorApp.hint': '{digits} digits. The app shows a new code every {period} seconds.',
    'authenticatorApp.verify': 'Confirm',
    'authenticatorApp.verifyAndFinish': 'Confirm and return to your wallet',
    'authenticatorApp.useRecovery': 'Use a recovery code',
    'authenticatorApp.recovery.intro':
      'Enter one of the recovery codes you saved when you set up the app. Each one works once.',
    'authenticatorApp.recovery.label': 'Recovery code',
    'authenticatorApp.recovery.hint': '10 letters and digits, for example 7KQ2M-X9D4T.',
    'authenticatorApp.recovery.verify': 'Use this recovery code',
    'authenticatorApp.useApp': 'Use a code from the app instead',
    'authenticatorApp.codes.intro':
      'Your authenticator app is set up. Save these recovery codes somewhere safe: if you lose your phone, each one works once instead of a code from the app.',
    'authenticatorApp.codes.once': 'They will not be shown again once you go on.',
    'authenticatorApp.codes.label': 'Your recovery codes',
    'authenticatorApp.codes.continue': 'I saved them, continue',
    'authenticatorApp.codes.continueAndFinish': 'I saved them, return to your wallet',
    'authenticatorApp.decline': 'Decline',
    'authenticatorApp.declineHint': 'If you decline, {issuer} will not issue your credential.',
    'authenticatorApp.blocked.noSubject':
      'An authenticator app cannot be used in this journey: {issuer} did not say who you are. Go back to your wallet and start again, or contact support.',
    'authenticatorApp.blocked.notEnrolled':
      'There is no authenticator app set up for you here, and this step cannot set one up. Contact {issuer} for help.',
    'authenticatorApp.blocked.needsVerification':
      'You have no authenticator app set up here yet, and {issuer} lets you set one up only after confirming who you are earlier in this journey. Go back to your wallet and start again, or contact {issuer} for help.',
    'authenticatorApp.blocked.unreadable':
      'Your authenticator app cannot be checked here at the moment. Contact {issuer} for help.',
    'authenticatorApp.blocked.end': 'Go back to your wallet',
    'authenticatorApp.error.format': 'Enter the {digits} digits the app shows.',
    'authenticatorApp.error.wrong': 'That code is not right. You have {left} more tries.',
    'authenticatorApp.error.wrongLast': 'That code is not right. You have 1 more try.',
    'authenticatorApp.error.spent': 'That code was used already. Wait for the app to show a new one, then enter it.',
    'authenticatorApp.error.recoveryFormat': 'A recovery code is 10 letters and digits, like 7KQ2M-X9D4T.',
    'authenticatorApp.error.recoveryWrong':
      'That recovery code is not right, or was used before. You have {left} more tries.',
    'authenticatorApp.error.recoveryWrongLast':
      'That recovery code is not right, or was used before. You have 1 more try.',
    'authenticatorApp.error.enrolledMeanwhile':
      'An authenticator app was set up for you meanwhile, in another window. Enter a code from that app.',
    'authenticatorApp.mail.subject': 'An authenticator app was added for {issuer}',
    'authenticatorApp.mail.added':
      'An authenticator app was just set up to confirm it is you with {issuer}. From now on, {issuer} asks for a code from it.',
    'authenticatorApp.mail.notYou':
      'If this was you, there is nothing to do. If it was not, contact {issuer} at once: someone else may be using your details.',
  },
  fr: {
    'authenticatorApp.title': 'Confirmez votre identité avec une application d’authentification',
    'authenticatorApp.enrol.intro':
      '{issuer} vous demande de configurer une application d’authentification (comme Google Authenticator, Microsoft Authenticator, 1Password ou Aegis). La prochaine fois, vous confirmerez votre identité avec un code de cette application.',
    'authenticatorApp.enrol.scan': 'Dans l’application, ajoutez un compte et scannez ce code QR.',
    'authenticatorApp.enrol.qrLabel': 'Code QR qui ajoute {issuer} à votre application d’authentification',
    'authenticatorApp.enrol.manual':
      'Impossible de le scanner ? Ajoutez le compte à la main dans l’application, et saisissez cette clé :',
    'authenticatorApp.enrol.confirm':
      'Saisissez ensuite le code affiché par l’application, pour confirmer qu’elle est configurée.',
    'authenticatorApp.use.intro': 'Saisissez le code que votre application d’authentification affiche pour {issuer}.',
    'authenticatorApp.label': 'Code',
    'authenticatorApp.hint': '{digits} chiffres. L’application affiche un nouveau code toutes les {period} secondes.',
    'authenticatorApp.verify': 'Confirmer',
    'authenticatorApp.verifyAndFinish': 'Confirmer et revenir à votre portefeuille',
    'authenticatorApp.useRecovery': 'Utiliser un code de récupération',
    'authenticatorApp.recovery.intro':
      'Saisissez l’un des codes de récupération enregistrés lors de la configuration de l’application. Chacun ne fonctionne qu’une fois.',
    'authenticatorApp.recovery.label': 'Code de récupération',
    'authenticatorApp.recovery.hint': '10 lettres et chiffres, par exemple 7KQ2M-X9D4T.',
    'authenticatorApp.recovery.verify': 'Utiliser ce code de récupération',
    'authenticatorApp.useApp': 'Utiliser plutôt un code de l’application',
    'authenticatorApp.codes.intro':
      'Votre application d’authentification est configurée. Conservez ces codes de récupération en lieu sûr : si vous perdez votre téléphone, chacun remplace une fois un code de l’application.',
    'authenticatorApp.codes.once': 'Ils ne seront plus affichés une fois que vous aurez continué.',
    'authenticatorApp.codes.label': 'Vos codes de récupération',
    'authenticatorApp.codes.continue': 'Je les ai enregistrés, continuer',
    'authenticatorApp.codes.continueAndFinish': 'Je les ai enregistrés, revenir à votre portefeuille',
    'authenticatorApp.decline': 'Refuser',
    'authenticatorApp.declineHint': 'Si vous refusez, {issuer} ne délivrera pas votre attestation.',
    'authenticatorApp.blocked.noSubject':
      'Une application d’authentification ne peut pas être utilisée ici : {issuer} n’a pas indiqué qui vous êtes. Retournez dans votre portefeuille et recommencez, ou contactez l’assistance.',
    'authenticatorApp.blocked.notEnrolled':
      'Aucune application d’authentification n’est configurée pour vous ici, et cette étape ne peut pas en configurer. Contactez {issuer} pour obtenir de l’aide.',
    'authenticatorApp.blocked.needsVerification':
      'Vous n’avez pas encore d’application d’authentification configurée ici, et {issuer} ne permet d’en configurer une qu’après avoir confirmé votre identité plus tôt dans cette démarche. Retournez dans votre portefeuille et recommencez, ou contactez {issuer} pour obtenir de l’aide.',
    'authenticatorApp.blocked.unreadable':
      'Votre application d’authentification ne peut pas être vérifiée ici pour le moment. Contactez {issuer} pour obtenir de l’aide.',
    'authenticatorApp.blocked.end': 'Retourner au portefeuille',
    'authenticatorApp.error.format': 'Saisissez les {digits} chiffres affichés par l’application.',
    'authenticatorApp.error.wrong': 'Ce code n’est pas le bon. Il vous reste {left} essais.',
    'authenticatorApp.error.wrongLast': 'Ce code n’est pas le bon. Il vous reste 1 essai.',
    'authenticatorApp.error.spent':
      'Ce code a déjà été utilisé. Attendez que l’application en affiche un nouveau, puis saisissez-le.',
    'authenticatorApp.error.recoveryFormat':
      'Un code de récupération compte 10 lettres et chiffres, comme 7KQ2M-X9D4T.',
    'authenticatorApp.error.recoveryWrong':
      'Ce code de récupération n’est pas le bon, ou a déjà servi. Il vous reste {left} essais.',
    'authenticatorApp.error.recoveryWrongLast':
      'Ce code de récupération n’est pas le bon, ou a déjà servi. Il vous reste 1 essai.',
    'authenticatorApp.error.enrolledMeanwhile':
      'Une application d’authentification a été configurée pour vous entre-temps, dans une autre fenêtre. Saisissez un code de cette application.',
    'authenticatorApp.mail.subject': 'Une application d’authentification a été ajoutée pour {issuer}',
    'authenticatorApp.mail.added':
      'Une application d’authentification vient d’être configurée pour confirmer votre identité auprès de {issuer}. Désormais, {issuer} vous demandera un code de cette application.',
    'authenticatorApp.mail.notYou':
      'Si c’était vous, vous n’avez rien à faire. Sinon, contactez {issuer} sans attendre : quelqu’un d’autre utilise peut-être vos informations.',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type AuthenticatorAppMessageKey = keyof typeof authenticatorAppMessages.en;
