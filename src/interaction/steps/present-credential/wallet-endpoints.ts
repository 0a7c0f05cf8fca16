import type { Logger } from 'pino';
import type { StepRecords } from '../step-ports.js';
import { fits } from '../claim-values.js';
import { StepUnavailableError, type PublicAnswer, type PublicEndpoints, type PublicRequest } from '../step.js';
import { claimAt, claimPathFor } from './credential-query.js';
import { RECORDS, tryRecordFrom, type TryRecord, type TryResult } from './present-records.js';
import { clientIdFor, requestObject, tryUrls } from './presentation-request.js';
import { PresentationRejected } from './rejection.js';
import type { PresentCredentialConfig } from './schema.js';
import { presentationEvidence, type PresentedCredential } from './presented-credential.js';
import { verifyVpToken, type VerifierPolicy } from './vp-token.js';

/** Where the wallet's answer is processed; every answer but a processed response is OAuth error JSON. */
const PRESENT_PREFIX = 'present';

const invalid = (description: string, status = 400): PublicAnswer => ({
  status,
  json: { error: 'invalid_request', error_description: description },
});
const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length <= max ? value : undefined;

/**
 * The try's two endpoints for the wallet (OpenID4VP 1.0): `request` hands out the request object
 * once (GET, or POST with a `wallet_nonce`), `response` takes one `direct_post` answer, verifies it
 * and keeps what it came to for the browser, which it sends back with the try's response code.
 */
export function walletEndpoints(deps: {
  config: PresentCredentialConfig;
  policy: VerifierPolicy;
  records: StepRecords;
  logger: Logger;
  hookOrigin: string;
  clientName: string;
}): PublicEndpoints {
  const { config, records, hookOrigin } = deps;

  async function liveTry(key: string, now: Date): Promise<TryRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return undefined;
    const found = tryRecordFrom(await records.get(RECORDS.try, key, now));
    return found?.transactionId === key ? found : undefined;
  }

  async function request(found: TryRecord, req: PublicRequest): Promise<PublicAnswer> {
    const walletNonce = req.method === 'POST' ? text(req.body.wallet_nonce, 256) : undefined;
    if (!(await records.add(RECORDS.requestUsed, found.transactionId, true, new Date(found.expiresAt), req.now)))
      return invalid('the request object was fetched before');
    const jwt = await requestObject({
      identity: config.identity,
      presentationTry: found,
      query: config.query,
      hookOrigin,
      clientName: deps.clientName,
      now: req.now,
      ...(walletNonce === undefined ? {} : { walletNonce }),
    });
    return { status: 200, text: jwt, contentType: 'application/oauth-authz-req+jwt' };
  }

  async function response(found: TryRecord, req: PublicRequest): Promise<PublicAnswer> {
    if (req.method !== 'POST') return invalid('the response is posted (direct_post)', 405);
    if (text(req.body.state, 100) !== found.state) return invalid('the response does not carry this request’s state');
    if (!(await records.add(RECORDS.answered, found.transactionId, true, new Date(found.expiresAt), req.now)))
      return invalid('this request was answered before');
    const keep = (result: TryResult) =>
      records.put(RECORDS.result, found.transactionId, result, new Date(found.expiresAt));
    const redirect: PublicAnswer = {
      status: 200,
      json: { redirect_uri: `${hookOrigin}/interaction/return/present-credential?response_code=${found.responseCode}` },
    };
    const error = text(req.body.error, 64);
    if (error !== undefined) {
      await keep(
        error === 'access_denied'
          ? { kind: 'declined-in-wallet' }
          : { kind: 'wallet-error', error: /^[a-z_]{1,64}$/.test(error) ? error : 'unknown' },
      );
      return redirect;
    }
    const { responseUri } = tryUrls(hookOrigin, found.transactionId);
    try {
      const credential = await verifyVpToken(req.body.vp_token, deps.policy, {
        nonce: found.nonce,
        audience: clientIdFor(config.identity, responseUri),
        responseUri,
        now: req.now,
      });
      await keep(verified(credential));
      return redirect;
    } catch (caught) {
      if (caught instanceof StepUnavailableError) {
        await keep({ kind: 'unavailable' });
        return {
          status: 503,
          json: {
            error: 'temporarily_unavailable',
            error_description: 'the credential’s status could not be checked; try again later',
          },
        };
      }
      if (!(caught instanceof PresentationRejected)) throw caught;
      deps.logger.warn(
        { interaction: found.interactionId, step: config.id, reason: caught.reason },
        'presentation refused',
      );
      await keep({
        kind: 'rejected',
        reason: caught.reason,
        evidence: { format: config.query.credentials[0].format, reason: caught.reason },
      });
      return invalid(caught.message);
    }
  }

  /** What the browser's return needs of a verified credential: the values to pass on or match, and evidence without values. */
  function verified(credential: PresentedCredential): TryResult {
    const collected: Record<string, unknown> = {};
    for (const [from, to] of Object.entries(config.collect)) {
      const path = claimPathFor(config.query.credentials[0], from);
      const value = path === undefined ? undefined : claimAt(credential.claims, path);
      if (value !== undefined && fits(value)) collected[to] = value;
    }
    return {
      kind: 'verified',
      collected,
      matched: config.matchClaim ? (claimAt(credential.claims, config.matchClaim.credential) ?? null) : null,
      evidence: presentationEvidence(credential),
    };
  }

  return {
    prefix: PRESENT_PREFIX,
    async handle(req) {
      const found = await liveTry(req.key, req.now);
      if (!found) return invalid('no such request, or it has expired');
      if (req.name === 'request') return request(found, req);
      if (req.name === 'response') return response(found, req);
      return invalid('no such endpoint', 404);
    },
  };
}
