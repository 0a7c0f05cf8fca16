import type { Evidence } from '../../model.js';

/** What the verifier learnt from one presentation: enough to decide and to record, nothing more. */
export interface PresentedCredential {
  format: 'dc+sd-jwt' | 'mso_mdoc';
  /** The credential's type: its `vct`, or an mdoc's doctype. */
  type: string;
  issuer: string;
  trustedBy: 'x509' | 'jwks';
  /** The claims the holder showed (an mdoc's by namespace, then element identifier). */
  claims: Record<string, unknown>;
  /** The names of the claims disclosed (dotted paths), for the ledger. */
  disclosed: string[];
  statusChecked: boolean;
}

/** The ledger's account of a verified presentation: names and checks, never a value. */
export function presentationEvidence(credential: PresentedCredential): Evidence {
  const proof =
    credential.format === 'mso_mdoc'
      ? { doctype: credential.type, deviceSignature: true }
      : { vct: credential.type, keyBinding: true };
  return {
    format: credential.format,
    ...proof,
    issuer: credential.issuer,
    trustedBy: credential.trustedBy,
    disclosed: credential.disclosed,
    statusChecked: credential.statusChecked,
  };
}
