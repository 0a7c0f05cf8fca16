import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { keepsUrlRules } from '../../../web/url-rules.js';
import { StepUnavailableError } from '../step.js';
import { issuerKey, SIGNATURE_ALGORITHMS, type IssuerTrust } from './issuer-trust.js';
import { PresentationRejected } from './rejection.js';

/** A credential's `status.status_list`: which list, and its index there. */
export interface StatusReference {
  uri: unknown;
  idx: unknown;
}

/** How status lists are fetched: a short timeout, since the user is waiting on the page. */
export interface StatusLists {
  timeoutMs: number;
  fetch: typeof fetch;
}

/** A status list token larger than this is not one the hook reads. */
const MAX_LIST_BYTES = 1_000_000;

/**
 * Refuses a credential its issuer revoked or suspended (IETF Token Status List): the list is fetched,
 * its signature checked under the same trust as credentials, and the credential's entry read. A list
 * that cannot be fetched fails closed: the step is unavailable, nothing is decided.
 */
export async function checkStatus(
  reference: StatusReference | undefined,
  trust: IssuerTrust,
  now: Date,
  lists: StatusLists,
): Promise<void> {
  const uri = typeof reference?.uri === 'string' ? listUrl(reference.uri) : undefined;
  const idx = reference?.idx;
  if (uri === undefined || typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0)
    throw new PresentationRejected('malformed');
  const token = await fetchList(uri, lists);
  let status: number;
  try {
    const header = decodeProtectedHeader(token);
    if (header.typ !== 'statuslist+jwt') throw new PresentationRejected('status_list_invalid');
    const { key } = await issuerKey(trust, header, token, now);
    const { payload } = await jwtVerify(token, key, {
      algorithms: SIGNATURE_ALGORITHMS,
      currentDate: now,
      clockTolerance: 60,
      subject: uri.href,
    });
    if (payload.ttl !== undefined && typeof payload.ttl !== 'number')
      throw new PresentationRejected('status_list_invalid');
    status = getListFromStatusListJWT(token).getStatus(idx);
  } catch (error) {
    if (error instanceof PresentationRejected && error.reason !== 'issuer_untrusted' && error.reason !== 'malformed')
      throw error;
    throw new PresentationRejected('status_list_invalid', {
      cause: error instanceof errors.JOSEError || error instanceof Error ? error : undefined,
    });
  }
  if (status === 0) return;
  throw new PresentationRejected(status === 2 ? 'suspended' : 'revoked');
}

/** https, or http to this machine (a list served beside the hook for local use). */
function listUrl(value: string): URL | undefined {
  return keepsUrlRules(value, { http: 'loopback' }) ? new URL(value) : undefined;
}

async function fetchList(uri: URL, lists: StatusLists): Promise<string> {
  try {
    const response = await lists.fetch(uri, {
      headers: { accept: 'application/statuslist+jwt' },
      redirect: 'error',
      signal: AbortSignal.timeout(lists.timeoutMs),
    });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_LIST_BYTES) throw new Error('too large');
    const text = (await response.text()).trim();
    if (text.length > MAX_LIST_BYTES) throw new Error('too large');
    return text;
  } catch (error) {
    throw new StepUnavailableError('the credential status list', { cause: error });
  }
}
