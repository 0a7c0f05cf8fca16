import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LANGUAGE_TAG } from '../localised-text.js';
import { stepIdSchema, type EntryContext, type StepConfigBase } from '../step-type.js';

export const termsEntry = z.strictObject({
  type: z.literal('terms'),
  id: stepIdSchema,
  version: z.string().trim().min(1, 'terms need a version').max(64),
  /** A claim from the session token to greet the user with, e.g. "given_name". */
  greetingClaim: z.string().min(1).max(100).optional(),
  /** A subject who already accepted this version goes straight on (needs a subject: `sub` or LEDGER_SUBJECT_CLAIM). */
  skipIfAccepted: z.boolean().default(false),
  /** Language → file (relative to the config file) holding the exact text shown. */
  documents: z
    .record(z.string().regex(LANGUAGE_TAG, 'a document key is a language tag such as "en"'), z.string().min(1))
    .refine((docs) => Object.keys(docs).length > 0, 'terms need at least one document'),
});

export type TermsEntry = z.infer<typeof termsEntry>;

export interface TermsDocument {
  text: string;
  /** SHA-256 (hex) of the exact text: what the ledger records as shown. */
  sha256: string;
  /** Where the text was read from, for messages. */
  file: string;
}

export interface TermsStepConfig extends StepConfigBase {
  type: 'terms';
  version: string;
  greetingClaim: string | undefined;
  skipIfAccepted: boolean;
  documents: Readonly<Record<string, TermsDocument>>;
}

/** Reads every document the entry names, relative to the steps file. */
export function loadTerms(
  entry: TermsEntry,
  at: EntryContext,
): { ok: true; config: TermsStepConfig } | { ok: false; problems: string[] } {
  const documents: Record<string, TermsDocument> = {};
  const problems: string[] = [];
  for (const [lang, relative] of Object.entries(entry.documents)) {
    const file = path.resolve(at.dir, relative);
    try {
      const text = readFileSync(file, 'utf8');
      documents[lang] = { text, sha256: createHash('sha256').update(text).digest('hex'), file };
    } catch {
      problems.push(`${at.where}.documents.${lang}: cannot read ${file}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      type: 'terms',
      id: at.id,
      version: entry.version,
      greetingClaim: entry.greetingClaim,
      skipIfAccepted: entry.skipIfAccepted,
      documents,
    },
  };
}
