import type { PasskeyCredential, PasskeyCredentials } from '../../interaction/steps/step-ports.js';
import { readJson, readTime, type SqlClient } from './sql-client.js';

interface PasskeyRow {
  id: string;
  subject: string;
  public_key: string;
  counter: unknown;
  transports: string;
  created_at: unknown;
  last_used_at: unknown;
}

export function sqlPasskeyCredentials(client: SqlClient): PasskeyCredentials {
  return {
    async forSubject(subject) {
      const rows = await client.rows<PasskeyRow>('SELECT * FROM passkey_credentials WHERE subject = ? ORDER BY created_at, id', [subject]);
      return rows.map(credentialFromRow);
    },
    async add(credential) {
      const [result] = await client.commit([
        {
          text: 'INSERT INTO passkey_credentials (id, subject, public_key, counter, transports, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
          values: [
            credential.id,
            credential.subject,
            Buffer.from(credential.publicKey).toString('base64url'),
            credential.counter,
            JSON.stringify(credential.transports),
            client.time(credential.createdAt),
            client.time(credential.lastUsedAt),
          ],
        },
      ]);
      return result?.changes === 1;
    },
    // Compare and set in one statement: a replayed or cloned assertion cannot move the counter back.
    async recordUse(id, counter, at) {
      const [result] = await client.commit([
        {
          text: 'UPDATE passkey_credentials SET counter = ?, last_used_at = ? WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))',
          values: [counter, client.time(at), id, counter, counter],
        },
      ]);
      return result?.changes === 1;
    },
    async remove(subject, id) {
      const [result] = await client.commit([
        id === undefined
          ? { text: 'DELETE FROM passkey_credentials WHERE subject = ?', values: [subject] }
          : { text: 'DELETE FROM passkey_credentials WHERE subject = ? AND id = ?', values: [subject, id] },
      ]);
      return result?.changes ?? 0;
    },
  };
}

function credentialFromRow(row: PasskeyRow): PasskeyCredential {
  const transports = readJson(row.transports);
  return {
    id: row.id,
    subject: row.subject,
    publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
    // PostgreSQL hands a bigint back as text.
    counter: Number(row.counter),
    transports: Array.isArray(transports) ? transports.filter((t): t is string => typeof t === 'string') : [],
    createdAt: readTime(row.created_at),
    lastUsedAt: readTime(row.last_used_at),
  };
}
