import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { describe, expect, it } from 'vitest';
import type { PasskeyCredential } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { TEST_ENGINE } from '../support/storage-engine.js';
import { storageHandles } from '../support/storage-handles.js';

/** What the passkey port promises, checked the same way on every engine; two handles stand for two replicas. */
const handles = storageHandles('passkeys');
const handle = () => handles.handle();

function credential(overrides: Partial<PasskeyCredential> = {}): PasskeyCredential {
  return {
    id: 'cred-1',
    subject: 'subject-1',
    publicKey: new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26, 0xff, 0x00]),
    counter: 0,
    transports: ['internal', 'hybrid'],
    createdAt: new Date('2026-11-01T10:00:00.123Z'),
    lastUsedAt: new Date('2026-11-01T10:00:00.123Z'),
    ...overrides,
  };
}

describe(`passkey credentials on ${TEST_ENGINE}`, () => {
  it('reads every field back as written, from another handle, and only for its subject', async () => {
    const [a, b] = [await handle(), await handle()];
    expect(await passkeyCredentials(a.subjectRecords).add(credential({ counter: 4_000_000_000 }))).toBe(true);
    expect(await passkeyCredentials(b.subjectRecords).forSubject('subject-1')).toEqual([
      credential({ counter: 4_000_000_000 }),
    ]);
    expect(await passkeyCredentials(b.subjectRecords).forSubject('subject-2')).toEqual([]);
  });

  it('lists a subject’s credentials oldest first', async () => {
    const storage = await handle();
    await passkeyCredentials(storage.subjectRecords).add(
      credential({ id: 'newer', createdAt: new Date('2026-11-02T00:00:00Z') }),
    );
    await passkeyCredentials(storage.subjectRecords).add(
      credential({ id: 'older', createdAt: new Date('2026-11-01T00:00:00Z') }),
    );
    expect((await passkeyCredentials(storage.subjectRecords).forSubject('subject-1')).map((c) => c.id)).toEqual([
      'older',
      'newer',
    ]);
  });

  it('keeps one credential id for one subject: a second add of the id writes nothing', async () => {
    const [a, b] = [await handle(), await handle()];
    expect(await passkeyCredentials(a.subjectRecords).add(credential())).toBe(true);
    expect(await passkeyCredentials(b.subjectRecords).add(credential({ subject: 'someone-else' }))).toBe(false);
    expect(await passkeyCredentials(a.subjectRecords).forSubject('someone-else')).toEqual([]);
  });

  it('moves the counter only forwards, and lets only one of two racing uses with one value through', async () => {
    const [a, b] = [await handle(), await handle()];
    await passkeyCredentials(a.subjectRecords).add(credential({ counter: 5 }));
    const used = new Date('2026-11-03T00:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        passkeyCredentials((i % 2 === 0 ? a : b).subjectRecords).recordUse('cred-1', 6, used),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await passkeyCredentials(a.subjectRecords).recordUse('cred-1', 6, used)).toBe(false);
    expect(await passkeyCredentials(a.subjectRecords).recordUse('cred-1', 3, used)).toBe(false);
    const [stored] = await passkeyCredentials(b.subjectRecords).forSubject('subject-1');
    expect(stored).toMatchObject({ counter: 6, lastUsedAt: used });
    expect(await passkeyCredentials(a.subjectRecords).recordUse('unknown', 9, used)).toBe(false);
  });

  it('accepts every use of an authenticator that keeps no counter (0 after 0), and none back to 0 after a count', async () => {
    const storage = await handle();
    await passkeyCredentials(storage.subjectRecords).add(credential());
    expect(await passkeyCredentials(storage.subjectRecords).recordUse('cred-1', 0, new Date())).toBe(true);
    expect(await passkeyCredentials(storage.subjectRecords).recordUse('cred-1', 0, new Date())).toBe(true);
    expect(await passkeyCredentials(storage.subjectRecords).recordUse('cred-1', 1, new Date())).toBe(true);
    expect(await passkeyCredentials(storage.subjectRecords).recordUse('cred-1', 0, new Date())).toBe(false);
  });

  it('removes one of a subject’s credentials by id, or all of them, and never another subject’s', async () => {
    const [a, b] = [await handle(), await handle()];
    for (const c of [
      credential({ id: 'one' }),
      credential({ id: 'two' }),
      credential({ id: 'three' }),
      credential({ id: 'theirs', subject: 'subject-2' }),
    ])
      await passkeyCredentials(a.subjectRecords).add(c);
    expect(await passkeyCredentials(b.subjectRecords).remove('subject-1', 'theirs')).toBe(0);
    expect(await passkeyCredentials(b.subjectRecords).remove('subject-1', 'two')).toBe(1);
    expect((await passkeyCredentials(a.subjectRecords).forSubject('subject-1')).map((c) => c.id)).toEqual([
      'one',
      'three',
    ]);
    expect(await passkeyCredentials(b.subjectRecords).remove('subject-1')).toBe(2);
    expect(await passkeyCredentials(a.subjectRecords).forSubject('subject-1')).toEqual([]);
    expect(await passkeyCredentials(b.subjectRecords).remove('subject-1')).toBe(0);
    expect((await passkeyCredentials(a.subjectRecords).forSubject('subject-2')).map((c) => c.id)).toEqual(['theirs']);
    // A removed id can be enrolled again.
    expect(await passkeyCredentials(a.subjectRecords).add(credential({ id: 'two' }))).toBe(true);
  });
});
