import { setTimeout as sleep } from 'node:timers/promises';
import { ManagementApiError } from './management-error.js';

/** How hard a management call tries. */
export interface CallPolicy {
  /** Each attempt, answer body included, must finish within this. */
  timeoutMs: number;
  /** Attempts after the first, only on network errors, timeouts, 429 and 5xx. */
  retries: number;
  /** The first wait between attempts; it doubles each time, with jitter. */
  backoffMs: number;
  /** No wait is longer than this, whatever `Retry-After` says. */
  maxBackoffMs: number;
}

export const DEFAULT_CALL_POLICY: CallPolicy = { timeoutMs: 10_000, retries: 3, backoffMs: 500, maxBackoffMs: 8_000 };

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface JsonAnswer {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON, or undefined when empty. */
  body: unknown;
}

/**
 * One JSON call with a timeout on every attempt and retries with backoff where a retry can help.
 * Resolves with any 2xx–4xx answer (the caller reads it); rejects when no usable answer came.
 * `what` names the other side in messages ("the auth server", "the tenant").
 */
export async function callJson(request: JsonRequest, policy: CallPolicy, what: string): Promise<JsonAnswer> {
  for (let attempt = 0; ; attempt += 1) {
    const last = attempt >= policy.retries;
    let answer: JsonAnswer & { retryAfterMs?: number };
    try {
      answer = await attemptOnce(request, policy.timeoutMs);
    } catch (error) {
      if (last || isRedirect(error)) throw transportError(error, request, policy, what, attempt + 1);
      await sleep(backoff(policy, attempt));
      continue;
    }
    if (answer.status !== 429 && answer.status < 500) return answer;
    if (last) {
      throw new ManagementApiError(
        'unavailable',
        `${capitalise(what)} answered ${answer.status} to ${request.method} ${pathOf(request.url)} ${attempts(attempt + 1)}; try again later${answer.status === 429 ? ' (rate limited)' : ''}.`,
        answer.status,
      );
    }
    await sleep(Math.min(policy.maxBackoffMs, answer.retryAfterMs ?? backoff(policy, attempt)));
  }
}

async function attemptOnce(request: JsonRequest, timeoutMs: number): Promise<JsonAnswer & { retryAfterMs?: number }> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: {
      accept: 'application/json',
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    // A redirect would carry credentials or a bearer token to wherever it points.
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: unknown = text === '' ? undefined : text;
  try {
    if (text !== '') body = JSON.parse(text);
  } catch {
    // Not JSON: the caller decides what a text body means.
  }
  return { status: response.status, body, retryAfterMs: retryAfter(response.headers.get('retry-after')) };
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds. */
function retryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(policy: CallPolicy, attempt: number): number {
  const full = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** attempt);
  // Half fixed, half random: replicas starting together do not retry in step.
  return full / 2 + Math.random() * (full / 2);
}

function transportError(
  error: unknown,
  request: JsonRequest,
  policy: CallPolicy,
  what: string,
  tries: number,
): ManagementApiError {
  const name = error instanceof Error ? error.name : '';
  const target = `${request.method} ${pathOf(request.url)}`;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ManagementApiError(
      'timeout',
      `${capitalise(what)} did not answer ${target} within ${policy.timeoutMs / 1000} s ${attempts(tries)}.`,
    );
  }
  // fetch wraps the reason (ECONNREFUSED, ENOTFOUND, a certificate problem) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  const reason = code !== '' ? code : cause instanceof Error ? cause.message : 'network error';
  return new ManagementApiError(
    'unreachable',
    `${capitalise(what)} could not be reached at ${new URL(request.url).origin} for ${target} (${reason}) ${attempts(tries)}.`,
  );
}

/** A redirect is refused, not retried: it would only be refused again. */
function isRedirect(error: unknown): boolean {
  return error instanceof Error && error.cause instanceof Error && /redirect/i.test(error.cause.message);
}

function attempts(n: number): string {
  return n === 1 ? 'on the only attempt' : `after ${n} attempts`;
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
