/** Why a presentation was refused: a code for the ledger and the log, a sentence for the tenant. */
export const REJECTION_REASONS = [
  'malformed',
  'issuer_untrusted',
  'signature_invalid',
  'expired',
  'not_yet_valid',
  'type_not_requested',
  'disclosure_invalid',
  'key_binding_missing',
  'key_binding_invalid',
  'nonce_mismatch',
  'audience_mismatch',
  'sd_hash_mismatch',
  'key_binding_stale',
  'device_signature_invalid',
  'revoked',
  'suspended',
  'status_list_invalid',
  'claims_missing',
  'claim_mismatch',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

const SENTENCES: Readonly<Record<RejectionReason, string>> = {
  malformed: 'the presentation is not a well-formed credential of the requested format.',
  issuer_untrusted: 'the credential was not issued by a trusted issuer.',
  signature_invalid: "the issuer's signature on the credential does not verify.",
  expired: 'the credential has expired.',
  not_yet_valid: 'the credential is not valid yet.',
  type_not_requested: 'the credential is not of a type that was asked for.',
  disclosure_invalid: 'a disclosed claim does not belong to the credential.',
  key_binding_missing: 'the presentation is not bound to the holder’s key.',
  key_binding_invalid: 'the holder’s key binding does not verify.',
  nonce_mismatch: 'the presentation was made for another request (nonce).',
  audience_mismatch: 'the presentation was made for another verifier (aud).',
  sd_hash_mismatch: 'the key binding does not cover this presentation (sd_hash).',
  key_binding_stale: 'the presentation was not made just now (iat).',
  device_signature_invalid: 'the device signature does not cover this request (session transcript).',
  revoked: 'the credential has been revoked by its issuer.',
  suspended: 'the credential is suspended by its issuer.',
  status_list_invalid: "the credential's status list could not be verified.",
  claims_missing: 'the credential does not disclose the claims asked for.',
  claim_mismatch: 'the credential is about another person than the one in this journey.',
};

export function rejectionSentence(reason: RejectionReason): string {
  return SENTENCES[reason];
}

/** A presentation the verifier refuses; `reason` is safe to record, the message names no value. */
export class PresentationRejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    options?: { cause?: unknown },
  ) {
    super(SENTENCES[reason], options);
    this.name = 'PresentationRejected';
  }
}
