import { defineMessages } from '../../../web/i18n.js';

/** The terms step's words. */
export const termsMessages = defineMessages({
  en: {
    'terms.title': 'Terms of use',
    'terms.greeting': 'Hello {name},',
    'terms.intro': 'Please read and accept the terms of use before {issuer} issues your credential.',
    'terms.version': 'Version {version}',
    'terms.checkbox': 'I have read and accept the terms of use',
    'terms.accept': 'Accept and continue',
    'terms.decline': 'Decline',
    'terms.declineHint': 'If you decline, {issuer} will not issue your credential.',
    'terms.error.required': 'Tick the box to accept the terms, or choose Decline.',
  },
  fr: {
    'terms.title': 'Conditions d’utilisation',
    'terms.greeting': 'Bonjour {name},',
    'terms.intro':
      'Veuillez lire et accepter les conditions d’utilisation avant que {issuer} ne délivre votre attestation.',
    'terms.version': 'Version {version}',
    'terms.checkbox': 'J’ai lu et j’accepte les conditions d’utilisation',
    'terms.accept': 'Accepter et continuer',
    'terms.decline': 'Refuser',
    'terms.declineHint': 'Si vous refusez, {issuer} ne délivrera pas votre attestation.',
    'terms.error.required': 'Cochez la case pour accepter les conditions, ou choisissez Refuser.',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type TermsMessageKey = keyof typeof termsMessages.en;
