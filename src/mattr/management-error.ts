/** Why a call to the auth server or the tenant's management API failed. */
export type ManagementFailure =
  /** 400 or another 4xx: the tenant said what is wrong (message and details). */
  | 'refused'
  /** The client credentials or the access token were not accepted. */
  | 'unauthorized'
  /** The credentials are valid but their role may not configure the hook. */
  | 'forbidden'
  /** No answer: DNS, connection refused, TLS, reset. */
  | 'unreachable'
  | 'timeout'
  /** 429 or 5xx, still after every retry. */
  | 'unavailable'
  /** An answer we cannot read (not JSON, or not the documented shape). */
  | 'unexpected'
  /** The tenant has no interaction hook, or did not return its secret. */
  | 'not-registered';

/**
 * A failed management call, in plain words that name the fix. Built only through `redact`, so
 * neither the client secret nor a hook secret can reach a log or a terminal through it.
 */
export class ManagementApiError extends Error {
  constructor(
    readonly kind: ManagementFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ManagementApiError';
  }
}

/** Replaces every secret found in `text` (a tenant's error might echo what it was sent). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** The tenant's 4xx body as documented: `{code, message, details: [{value, msg, param, location}]}`. */
interface TenantErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  /** The auth server speaks OAuth instead: `{error, error_description}`. */
  error?: unknown;
  error_description?: unknown;
}

/**
 * The tenant's refusal as sentences: its message, then one line per `details[]` entry saying which
 * field, what is wrong and what was sent. Anything missing from the body is simply left out.
 */
export function describeRefusal(who: 'The tenant' | 'The auth server', status: number, body: unknown): string {
  const lines: string[] = [];
  const b = (typeof body === 'object' && body !== null ? body : {}) as TenantErrorBody;
  const message =
    text(b.message) ??
    text(b.error_description) ??
    (typeof body === 'string' ? text(body.slice(0, 300)) : undefined) ??
    'no reason given';
  const codeText = text(b.code) ?? text(b.error);
  const code = codeText === undefined ? '' : ` ${codeText}`;
  lines.push(`${who} refused the request (${status}${code}): ${message}`);
  if (Array.isArray(b.details)) {
    for (const entry of b.details.slice(0, 20)) lines.push(`  - ${describeDetail(entry)}`);
  }
  return lines.join('\n');
}

function describeDetail(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null) return String(entry);
  const d = entry as Record<string, unknown>;
  const field = typeof d.param === 'string' && d.param !== '' ? d.param : 'the request';
  const where = typeof d.location === 'string' && d.location !== '' ? ` (in the ${d.location})` : '';
  const what = typeof d.msg === 'string' && d.msg !== '' ? d.msg : 'is not accepted';
  const sent = d.value === undefined ? '' : `; sent ${JSON.stringify(d.value).slice(0, 200)}`;
  return `${field}${where}: ${what}${sent}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
