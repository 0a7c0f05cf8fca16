/**
 * The engine behind the storage cannot be reached or gave up on a request. The request fails
 * closed: a 503 page, never a redirect. Its message names the engine, never a URL or credential.
 */
export class StorageUnavailableError extends Error {
  constructor(
    readonly engine: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(options?.detail ? `${engine} ${options.detail}` : `${engine} is unavailable`, { cause: options?.cause });
    this.name = 'StorageUnavailableError';
  }
}

/** A short reason for an error, for messages: Node's connection errors often have an empty message. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (error instanceof Error) return error.message || ((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}

/**
 * SQLite's ways of saying "not now" (locked, disk full or failing, file gone, handle closed):
 * the embedded engine's counterpart of a lost connection.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOTADB|CORRUPT)/;

/** Whether a failure means the storage is away (503, try again) rather than a bug (500). */
export function isStorageUnavailable(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'SqliteError' && typeof code === 'string') return SQLITE_UNAVAILABLE.test(code);
  return error instanceof TypeError && error.message === 'The database connection is not open';
}
