import type { MessageKey } from './i18n.js';

/** How loud the log line of an error is. */
export type LogLevel = 'warn' | 'error';

/**
 * An error with a code that the log and the error page share. The page shows `page` (title and
 * body keys); the log shows `code` at `level`. Neither ever carries a token, secret or cookie.
 * Made from the table of error codes (`hookError`, `error-codes.ts`), never by hand.
 */
export class HookError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly page: PageKeys,
    readonly level: LogLevel,
  ) {
    super(code);
    this.name = 'HookError';
  }
}

export interface PageKeys {
  title: MessageKey;
  body: MessageKey;
  /** Whether to tell the user to go back to the wallet. */
  backToWallet: boolean;
  /** Whether to offer a link that shows the step again (nothing was decided, the journey goes on). */
  retry?: boolean;
}

export const PAGES = {
  arrivalMissing: { title: 'arrival.missing.title', body: 'arrival.missing.body', backToWallet: true },
  arrivalExpired: { title: 'arrival.expired.title', body: 'arrival.expired.body', backToWallet: true },
  arrivalInvalid: { title: 'arrival.invalid.title', body: 'arrival.invalid.body', backToWallet: true },
  arrivalUsed: { title: 'arrival.used.title', body: 'arrival.used.body', backToWallet: true },
  arrivalUnavailable: { title: 'arrival.unavailable.title', body: 'arrival.unavailable.body', backToWallet: false },
  tooManyArrivals: { title: 'arrival.tooMany.title', body: 'arrival.tooMany.body', backToWallet: false },
  urlTooLong: { title: 'request.tooLong.title', body: 'request.tooLong.body', backToWallet: true },
  interactionNotFound: { title: 'interaction.notFound.title', body: 'interaction.notFound.body', backToWallet: true },
  interactionExpired: { title: 'interaction.expired.title', body: 'interaction.expired.body', backToWallet: true },
  interactionCompleted: {
    title: 'interaction.completed.title',
    body: 'interaction.completed.body',
    backToWallet: false,
  },
  interactionDeclined: { title: 'interaction.declined.title', body: 'interaction.declined.body', backToWallet: true },
  /** A return from another site that names no journey waiting in this browser: ignored. */
  returnUnmatched: { title: 'return.unmatched.title', body: 'return.unmatched.body', backToWallet: false },
  interactionFailed: { title: 'interaction.failed.title', body: 'interaction.failed.body', backToWallet: true },
  stepUnavailable: { title: 'step.unavailable.title', body: 'step.unavailable.body', backToWallet: false, retry: true },
  proxyNotHttps: { title: 'proxy.notHttps.title', body: 'proxy.notHttps.body', backToWallet: false },
  formExpired: { title: 'form.expired.title', body: 'form.expired.body', backToWallet: false, retry: true },
  /** A page of a journey this browser has since replaced with a newer one (another tab arrived). */
  replacedByNewer: { title: 'form.replaced.title', body: 'form.replaced.body', backToWallet: false },
  /** A form of a journey this browser no longer holds, and no newer one to go on with. */
  formOfEndedJourney: { title: 'form.expired.title', body: 'form.ended.body', backToWallet: true },
  requestInvalid: { title: 'request.invalid.title', body: 'request.invalid.body', backToWallet: true },
  notFound: { title: 'page.notFound.title', body: 'page.notFound.body', backToWallet: true },
  serverError: { title: 'server.error.title', body: 'server.error.body', backToWallet: true },
  storageUnavailable: {
    title: 'server.unavailable.title',
    body: 'server.unavailable.body',
    backToWallet: false,
    retry: true,
  },
  storageUnreachable: {
    title: 'server.unreachable.title',
    body: 'server.unreachable.body',
    backToWallet: false,
    retry: true,
  },
} as const satisfies Record<string, PageKeys>;
