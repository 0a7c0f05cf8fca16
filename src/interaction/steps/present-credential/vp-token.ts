import type { DcqlQuery } from 'dcql';
import { checkAnswersQuery, type CredentialQuery } from './credential-query.js';
import type { IssuerTrust } from './issuer-trust.js';
import { PresentationRejected } from './rejection.js';
import { verifyMdoc } from './mdoc.js';
import type { PresentedCredential } from './presented-credential.js';
import { verifySdJwtVc } from './sd-jwt-vc.js';
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
export async function verifyVpToken(
  vpToken: unknown,
  policy: VerifierPolicy,
  forTry: { nonce: string; audience: string; responseUri: string; now: Date },
): Promise<PresentedCredential> {
  const presentations = parseVpToken(vpToken);
  const [asked] = policy.query.credentials;
  const answer = Object.hasOwn(presentations, asked.id) ? presentations[asked.id] : undefined;
  if (Object.keys(presentations).length !== 1 || answer?.length !== 1 || typeof answer[0] !== 'string')
    throw new PresentationRejected('malformed');
  const { nonce, audience, responseUri, now } = forTry;
  const credential =
    asked.format === 'mso_mdoc'
      ? await verifyMdoc(answer[0], {
          trust: policy.trust,
          doctypes: [asked.meta.doctype_value],
          clientId: audience,
          nonce,
          responseUri,
          now,
          statusLists: policy.statusLists,
        })
      : await verifySdJwtVc(answer[0], {
          trust: policy.trust,
          types: asked.meta.vct_values,
          statusLists: policy.statusLists,
          nonce,
          audience,
          now,
        });
  checkAnswersQuery(policy.dcql, asked.id, credential);
  return credential;
}

/**
 * A DCQL `vp_token`: a JSON object (a string in a form post) from credential query id to its
 * presentations, one or an array. (The OpenID4VP library's parser is not used: importing it sets
 * zod's error messages for the whole process.)
 */
function parseVpToken(vpToken: unknown): Record<string, unknown[]> {
  let parsed: unknown;
  try {
    parsed = typeof vpToken === 'string' ? JSON.parse(vpToken) : vpToken;
  } catch (error) {
    throw new PresentationRejected('malformed', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new PresentationRejected('malformed');
  return Object.fromEntries(
    Object.entries(parsed).map(([id, value]) => [id, Array.isArray(value) ? (value as unknown[]) : [value]]),
  );
}
