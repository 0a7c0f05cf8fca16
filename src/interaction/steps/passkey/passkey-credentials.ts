import { z } from 'zod';
import type { SubjectRecord, SubjectRecords } from '../step-ports.js';

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

/** The kind under which passkeys are kept per subject. */
const PASSKEY_KIND = 'passkey';

/** What a passkey keeps as its record's JSON: the public key base64url. */
const storedPasskey = z.object({
  publicKey: z.string(),
  counter: z.number().int().nonnegative(),
  transports: z.array(z.string()).catch([]),
});

/** The passkeys, kept in the per-subject records as kind `passkey`. */
export function passkeyCredentials(records: SubjectRecords): PasskeyCredentials {
  return {
    async forSubject(subject) {
      return (await records.list(PASSKEY_KIND, subject)).flatMap((record) => {
        const credential = credentialOf(record);
        return credential ? [credential] : [];
      });
    },
    add(credential) {
      const value = {
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports,
      };
      return records.add({
        kind: PASSKEY_KIND,
        subject: credential.subject,
        id: credential.id,
        value,
        createdAt: credential.createdAt,
        usedAt: credential.lastUsedAt,
      });
    },
    // Compare and set in one transaction: a replayed or cloned assertion cannot move the counter back.
    recordUse(id, counter, at) {
      return records.update(PASSKEY_KIND, id, (record) => {
        const stored = storedPasskey.safeParse(record.value);
        if (!stored.success || !(stored.data.counter < counter || (stored.data.counter === 0 && counter === 0)))
          return null;
        return { value: { ...stored.data, counter }, usedAt: at };
      });
    },
    remove(subject, id) {
      return records.remove(PASSKEY_KIND, subject, id);
    },
  };
}

/** A record read back; one that is not a passkey's shape is left out rather than trusted. */
function credentialOf(record: SubjectRecord): PasskeyCredential | null {
  const stored = storedPasskey.safeParse(record.value);
  if (!stored.success) return null;
  const { publicKey, counter, transports } = stored.data;
  return {
    id: record.id,
    subject: record.subject,
    publicKey: new Uint8Array(Buffer.from(publicKey, 'base64url')),
    counter,
    transports,
    createdAt: record.createdAt,
    lastUsedAt: record.usedAt,
  };
}
