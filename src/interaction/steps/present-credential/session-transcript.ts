import { createHash } from 'node:crypto';
import { cborEncode } from '@animo-id/mdoc';

/** What binds an mdoc presentation to one request of one verifier. */
export interface HandoverInfo {
  /** The request's `client_id`, with its prefix. */
  clientId: string;
  nonce: string;
  responseUri: string;
  /** RFC 7638 thumbprint of the response encryption key; none, since responses are not encrypted. */
  jwkThumbprint?: Uint8Array;
}

/**
 * The CBOR `SessionTranscript` of OpenID4VP 1.0 (final) Appendix B.2.6.1 for requests over redirects:
 * `[null, null, ["OpenID4VPHandover", SHA-256(CBOR([clientId, nonce, jwkThumbprint, responseUri]))]]`.
 * Written here because the mdoc library knows only the handover of an earlier ISO 18013-7 draft.
 */
export function openId4VpSessionTranscript(info: HandoverInfo): Uint8Array {
  const handoverInfo = cborEncode([info.clientId, info.nonce, info.jwkThumbprint ?? null, info.responseUri]);
  const hash = new Uint8Array(createHash('sha256').update(handoverInfo).digest());
  return cborEncode([null, null, ['OpenID4VPHandover', hash]]);
}
