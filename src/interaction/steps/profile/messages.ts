import { defineMessages } from '../../../web/i18n.js';

/** The profile step's words. */
export const profileMessages = defineMessages({
  en: {
    'profile.title': 'Tell us a bit more',
    'profile.intro': '{issuer} needs a few details before issuing your credential.',
    'profile.optional': '(optional)',
    'profile.choose': 'Choose an option',
    'profile.continue': 'Continue',
    'profile.decline': 'I don’t want to continue',
    'profile.declineHint': 'If you do not continue, {issuer} will not issue your credential.',
    'profile.error.required': 'Fill in “{label}”.',
    'profile.error.choose': 'Choose an option for “{label}”.',
    'profile.error.tick': 'Tick “{label}” to continue.',
    'profile.error.tooShort': 'Enter at least {min} characters in “{label}”.',
    'profile.error.tooLong': 'Enter at most {max} characters in “{label}”.',
    'profile.error.pattern': 'Enter “{label}” in the format its hint gives.',
    'profile.error.characters': 'Remove the characters that cannot be used from “{label}”.',
    'profile.error.email': 'Enter an email address like name@example.com in “{label}”.',
    'profile.error.phone': 'Enter a phone number in “{label}”, like +64 21 123 4567.',
    'profile.error.date': 'Enter a real date in “{label}”.',
    'profile.error.dateMin': 'Enter a date on or after {min} in “{label}”.',
    'profile.error.dateMax': 'Enter a date on or before {max} in “{label}”.',
    'profile.error.option': 'Choose one of the options offered for “{label}”.',
  },
  fr: {
    'profile.title': 'Quelques informations de plus',
    'profile.intro': '{issuer} a besoin de quelques renseignements avant de délivrer votre attestation.',
    'profile.optional': '(facultatif)',
    'profile.choose': 'Choisissez une option',
    'profile.continue': 'Continuer',
    'profile.decline': 'Je ne veux pas continuer',
    'profile.declineHint': 'Si vous ne continuez pas, {issuer} ne délivrera pas votre attestation.',
    'profile.error.required': 'Renseignez le champ « {label} ».',
    'profile.error.choose': 'Choisissez une option pour « {label} ».',
    'profile.error.tick': 'Cochez « {label} » pour continuer.',
    'profile.error.tooShort': 'Saisissez au moins {min} caractères dans « {label} ».',
    'profile.error.tooLong': 'Saisissez au plus {max} caractères dans « {label} ».',
    'profile.error.pattern': 'Saisissez « {label} » au format indiqué.',
    'profile.error.characters': 'Retirez de « {label} » les caractères qui ne peuvent pas être utilisés.',
    'profile.error.email': 'Saisissez une adresse e-mail du type nom@exemple.fr dans « {label} ».',
    'profile.error.phone': 'Saisissez un numéro de téléphone dans « {label} », par exemple +33 6 12 34 56 78.',
    'profile.error.date': 'Saisissez une date valide dans « {label} ».',
    'profile.error.dateMin': 'Saisissez dans « {label} » une date à partir du {min}.',
    'profile.error.dateMax': 'Saisissez dans « {label} » une date jusqu’au {max}.',
    'profile.error.option': 'Choisissez l’une des options proposées pour « {label} ».',
  },
});

/** A key of this step type's messages: its code's `ctx.t` takes these and no other. */
export type ProfileMessageKey = keyof typeof profileMessages.en;
