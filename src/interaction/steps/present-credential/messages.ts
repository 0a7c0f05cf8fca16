import { defineMessages } from '../../../web/i18n.js';

/** The present-credential step's words. */
export const presentCredentialMessages = defineMessages({
  en: {
    'present.title': 'Share a credential from your wallet',
    'present.intro': '{issuer} asks to see a credential you already hold before it issues the new one.',
    'present.asked': 'It will see: {claims}. Your wallet shows you the request before anything is shared.',
    'present.start': 'Use my wallet',
    'present.open': 'Open my wallet',
    'present.scan': 'Wallet on another device? Scan this code with it.',
    'present.waiting': 'Waiting for your wallet… This page moves on by itself once you have shared.',
    'present.continue': 'I have shared it: continue',
    'present.restart': 'Start again',
    'present.decline': 'Decline',
    'present.cancelled': 'You did not share the credential. Try again, or choose Decline to stop.',
    'present.wallet-error': 'Your wallet could not answer the request. Try again, or choose Decline to stop.',
    'present.expired': 'That request is no longer valid. Start again.',
    'present.error.choose': 'Choose Use my wallet, or Decline.',
    'present.qr-label': 'QR code that opens the request in a wallet',
  },
  fr: {
    'present.title': 'Présentez une attestation de votre portefeuille',
    'present.intro': '{issuer} demande à voir une attestation que vous détenez déjà avant de délivrer la nouvelle.',
    'present.asked': 'Seront communiqués : {claims}. Votre portefeuille vous montre la demande avant tout partage.',
    'present.start': 'Utiliser mon portefeuille',
    'present.open': 'Ouvrir mon portefeuille',
    'present.scan': 'Portefeuille sur un autre appareil ? Scannez ce code avec lui.',
    'present.waiting': 'En attente de votre portefeuille… Cette page avance d’elle-même une fois le partage fait.',
    'present.continue': 'J’ai partagé : continuer',
    'present.restart': 'Recommencer',
    'present.decline': 'Refuser',
    'present.cancelled': 'Vous n’avez pas partagé l’attestation. Réessayez, ou choisissez Refuser pour arrêter.',
    'present.wallet-error':
      'Votre portefeuille n’a pas pu répondre à la demande. Réessayez, ou choisissez Refuser pour arrêter.',
    'present.expired': 'Cette demande n’est plus valable. Recommencez.',
    'present.error.choose': 'Choisissez Utiliser mon portefeuille, ou Refuser.',
    'present.qr-label': 'Code QR qui ouvre la demande dans un portefeuille',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type PresentCredentialMessageKey = keyof typeof presentCredentialMessages.en;
