import type { SubjectRecord, SubjectRecords } from '../../interaction/steps/step-ports.js';
import { readJson, readTime, type SqlClient } from './sql-client.js';

interface SubjectRow {
  kind: string;
  subject: string;
  id: string;
  value: unknown;
  created_at: unknown;
  used_at: unknown;
}

export function sqlSubjectRecords(client: SqlClient): SubjectRecords {
  return {
    async list(kind, subject) {
      const rows = await client.rows<SubjectRow>(
        'SELECT * FROM subject_records WHERE kind = ? AND subject = ? ORDER BY created_at, id',
        [kind, subject],
      );
      return rows.map(recordFromRow);
    },
    async add(record) {
      const [result] = await client.commit([
        {
          text: 'INSERT INTO subject_records (kind, subject, id, value, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
          values: [
            record.kind,
            record.subject,
            record.id,
            JSON.stringify(record.value),
            client.time(record.createdAt),
            client.time(record.usedAt),
          ],
        },
      ]);
      return result?.changes === 1;
    },
    update(kind, id, change) {
      const read = { text: 'SELECT * FROM subject_records WHERE kind = ? AND id = ?', values: [kind, id] };
      return client.update(`subject-record:${kind}:${id}`, read, (rows) => {
        const row = rows[0] as SubjectRow | undefined;
        const changed = row && change(recordFromRow(row));
        if (!changed) return { statements: [], result: false };
        const write = {
          text: 'UPDATE subject_records SET value = ?, used_at = ? WHERE kind = ? AND id = ?',
          values: [JSON.stringify(changed.value), client.time(changed.usedAt), kind, id],
        };
        return { statements: [write], result: true };
      });
    },
    async remove(kind, subject, id) {
      const [result] = await client.commit([
        id === undefined
          ? { text: 'DELETE FROM subject_records WHERE kind = ? AND subject = ?', values: [kind, subject] }
          : {
              text: 'DELETE FROM subject_records WHERE kind = ? AND subject = ? AND id = ?',
              values: [kind, subject, id],
            },
      ]);
      return result?.changes ?? 0;
    },
  };
}

function recordFromRow(row: SubjectRow): SubjectRecord {
  return {
    kind: row.kind,
    subject: row.subject,
    id: row.id,
    value: readJson(row.value),
    createdAt: readTime(row.created_at),
    usedAt: readTime(row.used_at),
  };
}
