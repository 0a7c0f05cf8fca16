import { HookError, PAGES, type LogLevel } from './hook-error.js';

type PageName = keyof typeof PAGES;

/** What one error code answers: its status, its page (the first of `pages` unless told), how loud its log is. */
interface ErrorRow {
  readonly status: number;
  readonly pages: readonly [PageName, ...PageName[]];
  readonly level: LogLevel;
}

/**
 * Every error the hook answers with a page, by the code that its log line, its metrics label and
 * its page (`data-code`) share. A code with more than one page says the same thing in more than
 * one situation (the storage is away: on arrival, on a form, on a page).
 */
export const ERROR_CODES = {
  // Arrival: the link from the wallet (the token's checks name their own failure).
  token_missing: { status: 400, pages: ['arrivalMissing'], level: 'warn' },
  token_expired: { status: 401, pages: ['arrivalExpired'], level: 'warn' },
  token_malformed: { status: 400, pages: ['arrivalInvalid'], level: 'warn' },
  token_bad_signature: { status: 401, pages: ['arrivalInvalid'], level: 'warn' },
  token_bad_algorithm: { status: 401, pages: ['arrivalInvalid'], level: 'warn' },
  token_not_yet_valid: { status: 401, pages: ['arrivalInvalid'], level: 'warn' },
  token_wrong_issuer: { status: 401, pages: ['arrivalInvalid'], level: 'warn' },
  token_wrong_audience: { status: 401, pages: ['arrivalInvalid'], level: 'warn' },
  token_missing_exp: { status: 401, pages: ['arrivalInvalid'], level: 'warn' },
  token_missing_state: { status: 400, pages: ['arrivalInvalid'], level: 'warn' },
  token_missing_redirect: { status: 400, pages: ['arrivalInvalid'], level: 'warn' },
  redirect_not_allowed: { status: 400, pages: ['arrivalInvalid'], level: 'warn' },
  token_replayed: { status: 409, pages: ['arrivalUsed'], level: 'warn' },
  rate_limited: { status: 429, pages: ['tooManyArrivals'], level: 'warn' },
  proxy_not_https: { status: 400, pages: ['proxyNotHttps'], level: 'warn' },
  // The journey.
  // A page of a journey this browser replaced since (another tab arrived) offers the newer one.
  interaction_not_found: { status: 404, pages: ['interactionNotFound', 'replacedByNewer'], level: 'warn' },
  interaction_finished: { status: 409, pages: ['interactionCompleted'], level: 'warn' },
  interaction_declined: { status: 409, pages: ['interactionDeclined'], level: 'warn' },
  interaction_failed: { status: 409, pages: ['interactionFailed'], level: 'warn' },
  interaction_expired: { status: 410, pages: ['interactionExpired'], level: 'warn' },
  return_unmatched: { status: 400, pages: ['returnUnmatched'], level: 'warn' },
  step_unavailable: { status: 503, pages: ['stepUnavailable'], level: 'error' },
  // Any request.
  // A form of a journey this browser replaced or no longer holds says so (see `wayOn`).
  csrf_invalid: { status: 403, pages: ['formExpired', 'replacedByNewer', 'formOfEndedJourney'], level: 'warn' },
  request_invalid: { status: 400, pages: ['requestInvalid'], level: 'warn' },
  url_too_long: { status: 414, pages: ['urlTooLong'], level: 'warn' },
  not_found: { status: 404, pages: ['notFound'], level: 'warn' },
  storage_unavailable: {
    status: 503,
    pages: ['storageUnavailable', 'storageUnreachable', 'arrivalUnavailable'],
    level: 'error',
  },
  internal_error: { status: 500, pages: ['serverError'], level: 'error' },
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The error `code` answers with: as its row says, on `page` when its row has more than one. */
export function hookError<Code extends ErrorCode>(
  code: Code,
  page: (typeof ERROR_CODES)[Code]['pages'][number] = ERROR_CODES[code].pages[0],
): HookError {
  const row: ErrorRow = ERROR_CODES[code];
  return new HookError(code, row.status, PAGES[page], row.level);
}

/**
 * A request the body parser (or another library) refused with a 4xx: its status and, when it names
 * one, its reason in the code (`request_entity_too_large`), on the page and log level of `request_invalid`.
 */
export function requestRefused(status: number, type: string | undefined): HookError {
  const row: ErrorRow = ERROR_CODES.request_invalid;
  return new HookError(
    type === undefined ? 'request_invalid' : `request_${type.replace(/\W/g, '_')}`,
    status,
    PAGES[row.pages[0]],
    row.level,
  );
}
