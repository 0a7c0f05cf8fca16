/**
 * The ports a step type may ask for. Storage implements them; steps know them only by these
 * interfaces, never an engine.
 */

/** A terms document as published: the text behind a version may never change. */
export interface PublishedTerms {
  step: string;
  version: string;
  locale: string;
  /** SHA-256 (hex) of the exact text. */
  sha256: string;
}

export interface PublishedTermsStore {
  /**
   * Records that this text is what `version` means, the first time it is seen. When the version
   * was published before with other text, writes nothing and returns the hash published then.
   */
  publish(terms: PublishedTerms): Promise<{ ok: true } | { ok: false; publishedSha256: string }>;
}

/**
 * Short-lived records a step keeps for one interaction (a one-time code's hash, a challenge, an
 * OpenID `state`): JSON under a kind and a key, gone at `expiresAt`. `take` reads and deletes in
 * one atomic step, so of two requests racing for a record only one gets it.
 */
export interface StepRecords {
  put(kind: string, key: string, value: unknown, expiresAt: Date): Promise<void>;
  /** Writes the record only when none is there (or it has expired): of two racing adds, one gets true. */
  add(kind: string, key: string, value: unknown, expiresAt: Date, now: Date): Promise<boolean>;
  get(kind: string, key: string, now: Date): Promise<unknown>;
  take(kind: string, key: string, now: Date): Promise<unknown>;
  /**
   * Reads the record (null when there is none or it expired), and writes what `change` makes of
   * it, in one transaction: of two updates racing for a key, the second sees what the first wrote.
   */
  update<T>(
    kind: string,
    key: string,
    now: Date,
    change: (value: unknown) => { value: unknown; expiresAt: Date; result: T },
  ): Promise<T>;
  delete(kind: string, key: string): Promise<void>;
}

/**
 * Something a step keeps about one subject from one journey to the next (a passkey, an
 * authenticator-app secret): its own JSON under a kind, with an id unique within the kind.
 */
export interface SubjectRecord {
  kind: string;
  subject: string;
  id: string;
  value: unknown;
  createdAt: Date;
  usedAt: Date;
}

/** What steps keep per subject, every kind through this one port. */
export interface SubjectRecords {
  /** The subject's records of `kind`, oldest first. */
  list(kind: string, subject: string): Promise<SubjectRecord[]>;
  /** Stores a new record; false (nothing written) when its kind and id are taken, whosever they are. */
  add(record: SubjectRecord): Promise<boolean>;
  /**
   * Reads the record and writes what `change` makes of it, in one transaction: of two updates
   * racing, the second sees what the first wrote. `change` returns null to leave it as it was.
   * False when there is no such record or nothing was written.
   */
  update(
    kind: string,
    id: string,
    change: (record: SubjectRecord) => { value: unknown; usedAt: Date } | null,
  ): Promise<boolean>;
  /** Removes the subject's records of `kind`, or only the one with `id` among them; says how many went. */
  remove(kind: string, subject: string, id?: string): Promise<number>;
}
