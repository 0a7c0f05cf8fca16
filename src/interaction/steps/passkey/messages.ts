import { defineMessages } from '../../../web/i18n.js';

/** The passkey step's words; `passkey.error.*` are also what the page's script shows after a try. */
export const passkeyMessages = defineMessages({
  en: {
    'passkey.title': 'Confirm it is you with a passkey',
    'passkey.intro.enrol':
      '{issuer} asks you to create a passkey on this device. Next time, you confirm it is you with it: no password needed.',
    'passkey.intro.use': 'Confirm it is you with the passkey you created for {issuer}.',
    'passkey.how': 'Your device asks for your fingerprint, face, PIN or screen lock.',
    'passkey.otherDevice':
      'A passkey stays on the device where you created it. If this device has none for you, use that device.',
    'passkey.start.enrol': 'Create a passkey',
    'passkey.start.use': 'Use my passkey',
    'passkey.decline': 'Decline',
    'passkey.declineHint': 'If you decline, {issuer} will not issue your credential.',
    'passkey.noscript':
      'A passkey needs JavaScript. Turn JavaScript on in this browser and reload the page, or choose Decline.',
    'passkey.working': 'Follow the instructions on your device…',
    'passkey.blocked.noSubject':
      'A passkey cannot be used in this journey: {issuer} did not say who you are. Go back to your wallet and start again, or contact support.',
    'passkey.blocked.noPasskey':
      'There is no passkey for you here, and this step cannot create one. Contact {issuer} for help.',
    'passkey.blocked.needsVerification':
      'You have no passkey here yet, and {issuer} lets you create one only after confirming who you are earlier in this journey. Go back to your wallet and start again, or contact {issuer} for help.',
    'passkey.blocked.continue': 'Go back to your wallet',
    'passkey.error.cancelled': 'The passkey request was cancelled or took too long. Try again, or choose Decline.',
    'passkey.error.noneHere':
      'No passkey was used. If this device has no passkey for you here, use the device where you created it. Or try again, or choose Decline.',
    'passkey.noneHere.support': 'For help, contact {contact}.',
    'passkey.noneHere.enrolHere':
      'You can also add a passkey on this device now: {issuer} has already confirmed it is you.',
    'passkey.noneHere.enrolHereButton': 'Add a passkey on this device',
    'passkey.error.unsupported':
      'This browser cannot use passkeys. Open this page in another browser, or choose Decline.',
    'passkey.error.network': 'We could not reach {issuer}. Check your connection and try again.',
    'passkey.error.notAccepted': 'This passkey could not be confirmed. Try again, or choose Decline.',
    'passkey.error.notVerified':
      'Your device did not confirm it is you with a fingerprint, face, PIN or screen lock. Try again, or choose Decline.',
    'passkey.error.unknown':
      'This is not the passkey you created for {issuer}. Try again with that one, or choose Decline.',
    'passkey.error.stale': 'That try is no longer valid. Try again.',
    'passkey.error.javascript': 'A passkey needs JavaScript: turn it on and reload the page, or choose Decline.',
    'passkey.mail.subject': 'A passkey was added for {issuer}',
    'passkey.mail.added':
      'A passkey was just added to confirm it is you with {issuer}. From now on, {issuer} asks for it.',
    'passkey.mail.notYou':
      'If this was you, there is nothing to do. If it was not, contact {issuer} at once: someone else may be using your details.',
  },
  fr: {
    'passkey.title': 'Confirmez votre identité avec une clé d’accès',
    'passkey.intro.enrol':
      '{issuer} vous demande de créer une clé d’accès sur cet appareil. La prochaine fois, vous confirmerez votre identité avec elle, sans mot de passe.',
    'passkey.intro.use': 'Confirmez votre identité avec la clé d’accès que vous avez créée pour {issuer}.',
    'passkey.how': 'Votre appareil vous demande votre empreinte, votre visage, un code ou le verrouillage de l’écran.',
    'passkey.otherDevice':
      'Une clé d’accès reste sur l’appareil où vous l’avez créée. Si cet appareil n’en a pas pour vous, utilisez celui-là.',
    'passkey.start.enrol': 'Créer une clé d’accès',
    'passkey.start.use': 'Utiliser ma clé d’accès',
    'passkey.decline': 'Refuser',
    'passkey.declineHint': 'Si vous refusez, {issuer} ne délivrera pas votre attestation.',
    'passkey.noscript':
      'Une clé d’accès nécessite JavaScript. Activez JavaScript dans ce navigateur et rechargez la page, ou choisissez Refuser.',
    'passkey.working': 'Suivez les instructions de votre appareil…',
    'passkey.blocked.noSubject':
      'Une clé d’accès ne peut pas être utilisée ici : {issuer} n’a pas indiqué qui vous êtes. Retournez dans votre portefeuille et recommencez, ou contactez l’assistance.',
    'passkey.blocked.noPasskey':
      'Aucune clé d’accès n’existe pour vous ici, et cette étape ne peut pas en créer. Contactez {issuer} pour obtenir de l’aide.',
    'passkey.blocked.needsVerification':
      'Vous n’avez pas encore de clé d’accès ici, et {issuer} ne permet d’en créer une qu’après avoir confirmé votre identité plus tôt dans cette démarche. Retournez dans votre portefeuille et recommencez, ou contactez {issuer} pour obtenir de l’aide.',
    'passkey.blocked.continue': 'Retourner au portefeuille',
    'passkey.error.cancelled':
      'La demande de clé d’accès a été annulée ou a pris trop de temps. Réessayez, ou choisissez Refuser.',
    'passkey.error.noneHere':
      'Aucune clé d’accès n’a été utilisée. Si cet appareil n’a pas de clé d’accès pour vous ici, utilisez l’appareil où vous l’avez créée. Sinon, réessayez, ou choisissez Refuser.',
    'passkey.noneHere.support': 'Pour obtenir de l’aide, contactez {contact}.',
    'passkey.noneHere.enrolHere':
      'Vous pouvez aussi ajouter une clé d’accès sur cet appareil maintenant : {issuer} a déjà confirmé votre identité.',
    'passkey.noneHere.enrolHereButton': 'Ajouter une clé d’accès sur cet appareil',
    'passkey.error.unsupported':
      'Ce navigateur ne prend pas en charge les clés d’accès. Ouvrez cette page dans un autre navigateur, ou choisissez Refuser.',
    'passkey.error.network': 'Impossible de joindre {issuer}. Vérifiez votre connexion et réessayez.',
    'passkey.error.notAccepted': 'Cette clé d’accès n’a pas pu être confirmée. Réessayez, ou choisissez Refuser.',
    'passkey.error.notVerified':
      'Votre appareil n’a pas confirmé votre identité par empreinte, visage, code ou verrouillage de l’écran. Réessayez, ou choisissez Refuser.',
    'passkey.error.unknown':
      'Ce n’est pas la clé d’accès que vous avez créée pour {issuer}. Réessayez avec celle-ci, ou choisissez Refuser.',
    'passkey.error.stale': 'Cette tentative n’est plus valable. Réessayez.',
    'passkey.error.javascript':
      'Une clé d’accès nécessite JavaScript : activez-le et rechargez la page, ou choisissez Refuser.',
    'passkey.mail.subject': 'Une clé d’accès a été ajoutée pour {issuer}',
    'passkey.mail.added':
      'Une clé d’accès vient d’être ajoutée pour confirmer votre identité auprès de {issuer}. Désormais, {issuer} vous la demandera.',
    'passkey.mail.notYou':
      'Si c’était vous, vous n’avez rien à faire. Sinon, contactez {issuer} sans attendre : quelqu’un d’autre utilise peut-être vos informations.',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type PasskeyMessageKey = keyof typeof passkeyMessages.en;
