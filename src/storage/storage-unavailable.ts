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
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}
