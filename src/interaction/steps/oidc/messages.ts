import { defineMessages } from '../../../web/i18n.js';

/** The oidc step's words. */
export const oidcMessages = defineMessages({
  en: {
    'oidc.title': 'Sign in again',
    'oidc.intro': 'Before {issuer} issues your credential, please sign in again with {provider}.',
    'oidc.after': 'You will come back here when you have signed in.',
    'oidc.continue': 'Continue to {provider}',
    'oidc.decline': 'Decline',
    'oidc.declineHint': 'If you decline, {issuer} will not issue your credential.',
    'oidc.cancelled': 'You cancelled the sign-in with {provider}. Try again, or choose Decline to stop.',
    'oidc.error.choose': 'Choose Continue to sign in, or Decline.',
  },
  fr: {
    'oidc.title': 'Reconnectez-vous',
    'oidc.intro': 'Avant que {issuer} ne délivre votre attestation, veuillez vous reconnecter avec {provider}.',
    'oidc.after': 'Vous reviendrez ici une fois connecté.',
    'oidc.continue': 'Continuer vers {provider}',
    'oidc.decline': 'Refuser',
    'oidc.declineHint': 'Si vous refusez, {issuer} ne délivrera pas votre attestation.',
    'oidc.cancelled': 'Vous avez annulé la connexion avec {provider}. Réessayez, ou choisissez Refuser pour arrêter.',
    'oidc.error.choose': 'Choisissez Continuer pour vous connecter, ou Refuser.',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type OidcMessageKey = keyof typeof oidcMessages.en;
