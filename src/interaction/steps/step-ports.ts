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
  delete(kind: string, key: string): Promise<void>;
}

/** A WebAuthn credential (passkey) a subject enrolled here; the public key only, never a secret. */
export interface PasskeyCredential {
  /** The credential id, base64url, as the authenticator names it. */
  id: string;
  subject: string;
  /** The COSE public key, as the authenticator gave it. */
  publicKey: Uint8Array;
  /** The signature counter last seen; 0 for authenticators that keep none. */
  counter: number;
  /** Hints for the browser: "internal", "hybrid", "usb", … */
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date;
}

/** Passkeys per subject. Ids are unique across subjects: one credential belongs to one subject. */
export interface PasskeyCredentials {
  /** The subject's credentials, oldest first. */
  forSubject(subject: string): Promise<PasskeyCredential[]>;
  /** Stores a new credential; false (nothing written) when its id is already stored. */
  add(credential: PasskeyCredential): Promise<boolean>;
  /**
   * Records a use: the counter moves to `counter` and `lastUsedAt` to `at`, only when the stored
   * counter is lower (or both are 0, for authenticators without one). False when it was not:
   * of two uses racing with one counter value only one goes through.
   */
  recordUse(id: string, counter: number, at: Date): Promise<boolean>;
  /** Removes the subject's credentials, or only the one with `id` among them; says how many went. */
  remove(subject: string, id?: string): Promise<number>;
}
