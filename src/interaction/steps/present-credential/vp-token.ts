import { parseDcqlVpToken } from '@openid4vc/openid4vp';
import type { DcqlQuery } from 'dcql';
import { checkAnswersQuery, type CredentialQuery } from './credential-query.js';
import type { IssuerTrust } from './issuer-trust.js';
import { PresentationRejected } from './rejection.js';
import { verifySdJwtVc, type PresentedCredential } from './sd-jwt-vc.js';
import type { StatusLists } from './status-list.js';

/** What the step verifies every presentation against: fixed at start-up. */
export interface VerifierPolicy {
  trust: IssuerTrust;
  query: CredentialQuery;
  dcql: DcqlQuery;
  statusLists: StatusLists;
}

/**
 * The one credential a wallet's `vp_token` presents for the query (OpenID4VP 1.0 §8.1: an object from
 * credential query id to presentations), verified for this try and checked against the query.
 */
export async function verifyVpToken(vpToken: unknown, policy: VerifierPolicy, forTry: { nonce: string; audience: string; now: Date }): Promise<PresentedCredential> {
  let presentations: Record<string, unknown[]>;
  try {
    presentations = parseDcqlVpToken(vpToken);
  } catch (error) {
    throw new PresentationRejected('malformed', { cause: error });
  }
  const [asked] = policy.query.credentials;
  const answer = Object.hasOwn(presentations, asked.id) ? presentations[asked.id] : undefined;
  if (Object.keys(presentations).length !== 1 || answer?.length !== 1 || typeof answer[0] !== 'string') throw new PresentationRejected('malformed');
  const credential = await verifySdJwtVc(answer[0], { trust: policy.trust, types: asked.meta.vct_values, statusLists: policy.statusLists, ...forTry });
  checkAnswersQuery(policy.dcql, asked.id, credential);
  return credential;
}
