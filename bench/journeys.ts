import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { mintSessionToken, readReturnToken, type TenantIdentity } from '../src/simulator/tenant-tokens.js';
import { Samples } from './samples.js';

/** A failed request, named by the step and what went wrong, e.g. `decide: status 503`. */
export class JourneyError extends Error {}

export interface Recorder {
  /** Per request, all steps together. */
  requests: Samples;
  /** Per request, by step name. */
  steps: Record<string, Samples>;
  /** Per completed operation (a whole journey, or one baseline request). */
  operations: Samples;
}

export function newRecorder(stepNames: readonly string[]): Recorder {
  return {
    requests: new Samples(),
    steps: Object.fromEntries(stepNames.map((s) => [s, new Samples()])),
    operations: new Samples(),
  };
}

export function newPool(origin: string, connections: number): Pool {
  // One keep-alive connection per concurrent user, as browsers behind one proxy would look.
  return new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
    keepAliveTimeout: 30_000,
  });
}

export const JOURNEY_STEPS = ['arrival', 'page', 'decide'] as const;

/**
 * One complete journey as a wallet's browser walks it: arrive with a freshly minted token, follow
 * the redirect to the step page, accept the terms, and check the way back — a 303 to the tenant
 * carrying a success token for the same state. Each journey has its own cookie jar.
 */
export async function journey(
  pool: Pool,
  identity: TenantIdentity,
  callbackPath: string,
  rec: Recorder | null,
): Promise<void> {
  const { token, state } = await mintSessionToken(identity, { claims: { given_name: 'Bench' } });
  const started = performance.now();
  const jar = new Map<string, string>();

  const arrival = await timed(rec, 'arrival', () =>
    pool.request({ method: 'GET', path: `${callbackPath}?session_token=${token}` }),
  );
  expectStatus('arrival', arrival.statusCode, 303);
  keepCookies(jar, arrival.headers['set-cookie']);
  const interactionPath = String(arrival.headers.location);
  if (!interactionPath.startsWith('/interaction/')) throw new JourneyError('arrival: unexpected location');

  const page = await timed(rec, 'page', () =>
    pool.request({ method: 'GET', path: interactionPath, headers: { cookie: cookieHeader(jar) } }),
  );
  expectStatus('page', page.statusCode, 200);
  keepCookies(jar, page.headers['set-cookie']);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new JourneyError('page: no CSRF field');

  const form = new URLSearchParams({ _csrf: csrf, accept_terms: 'yes', decision: 'accept' }).toString();
  const decide = await timed(rec, 'decide', () =>
    pool.request({
      method: 'POST',
      path: interactionPath,
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
  expectStatus('decide', decide.statusCode, 303);
  const back = new URL(String(decide.headers.location));
  if (back.origin !== new URL(identity.tenantUrl).origin)
    throw new JourneyError('decide: redirect to a foreign origin');
  const returned = back.searchParams.get('session_token') ?? '';
  if (unverifiedState(returned) !== state) throw new JourneyError('decide: wrong state sent back');
  rec?.operations.push(performance.now() - started);
  // The signature of every 16th token is checked as the tenant would: checking all of them took
  // CPU from the hook on a 2-core machine, and one signing key signs them all.
  if (++journeysDone % 16 === 0) {
    const outcome = await readReturnToken(identity, returned).catch(() => {
      throw new JourneyError('decide: return token refused');
    });
    if (outcome.kind !== 'success' || outcome.state !== state) throw new JourneyError('decide: wrong outcome or state');
  }
}

let journeysDone = 0;

/** The `state` a returned token's payload claims, read without checking the signature. */
function unverifiedState(token: string): unknown {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { state?: unknown })
      .state;
  } catch {
    return undefined;
  }
}

/** The baseline's only request: verify one token, sign one reply. */
export async function baselineOperation(pool: Pool, identity: TenantIdentity, rec: Recorder | null): Promise<void> {
  const { token } = await mintSessionToken(identity, { claims: { given_name: 'Bench' } });
  const started = performance.now();
  const res = await timed(rec, 'verify+sign', () =>
    pool.request({ method: 'GET', path: `/callback?session_token=${token}` }),
  );
  expectStatus('verify+sign', res.statusCode, 303);
  rec?.operations.push(performance.now() - started);
}

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function timed(
  rec: Recorder | null,
  step: string,
  send: () => Promise<{ statusCode: number; headers: Answer['headers']; body: { text(): Promise<string> } }>,
): Promise<Answer> {
  const started = performance.now();
  let res;
  try {
    res = await send();
  } catch (error) {
    throw new JourneyError(`${step}: ${(error as { code?: string }).code ?? (error as Error).message}`);
  }
  const body = await res.body.text();
  const ms = performance.now() - started;
  rec?.requests.push(ms);
  rec?.steps[step]?.push(ms);
  return { statusCode: res.statusCode, headers: res.headers, body };
}

function expectStatus(step: string, actual: number, expected: number): void {
  if (actual !== expected) throw new JourneyError(`${step}: status ${actual}`);
}

function keepCookies(jar: Map<string, string>, setCookie: string | string[] | undefined): void {
  for (const line of [setCookie ?? []].flat()) {
    const [pair = ''] = line.split(';', 1);
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
