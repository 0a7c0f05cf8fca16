import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The sample shipped with the hook, used when HOOK_CONFIG is not set. */
export const DEFAULT_HOOK_CONFIG = fileURLToPath(new URL('../../content/hook.config.json', import.meta.url));

const termsStep = z.object({
  type: z.literal('terms'),
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a step id is lower-case letters, digits and dashes').optional(),
  version: z.string().trim().min(1, 'terms need a version').max(64),
  /** A claim from the session token to greet the user with, e.g. "given_name". */
  greetingClaim: z.string().min(1).max(100).optional(),
  /** A subject who already accepted this version goes straight on (needs a subject: `sub` or LEDGER_SUBJECT_CLAIM). */
  skipIfAccepted: z.boolean().default(false),
  /** Language → file (relative to the config file) holding the exact text shown. */
  documents: z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a document key is a language tag such as "en"'), z.string().min(1)).refine(
    (docs) => Object.keys(docs).length > 0,
    'terms need at least one document',
  ),
});

const fileSchema = z.object({
  issuer: z
    .object({
      name: z.string().trim().min(1).max(80),
      supportContact: z.string().trim().max(200).optional(),
    })
    .default({ name: 'The issuer' }),
  steps: z.array(z.discriminatedUnion('type', [termsStep])).min(1, 'at least one step is needed'),
});

export interface TermsDocument {
  text: string;
  /** SHA-256 (hex) of the exact text: what the ledger records as shown. */
  sha256: string;
  /** Where the text was read from, for messages. */
  file: string;
}

export interface TermsStepConfig {
  type: 'terms';
  id: string;
  version: string;
  greetingClaim: string | undefined;
  skipIfAccepted: boolean;
  documents: Readonly<Record<string, TermsDocument>>;
}

export type StepConfig = TermsStepConfig;

export interface HookConfig {
  issuer: { name: string; supportContact: string | undefined };
  steps: readonly StepConfig[];
}

export type HookConfigResult = { ok: true; config: HookConfig } | { ok: false; errors: string[] };

/** Reads and validates the steps, terms and branding file; each problem is one plain message. */
export function loadHookConfig(file: string): HookConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { ok: false, errors: [`HOOK_CONFIG ${file}: ${why}`] };
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `HOOK_CONFIG ${file}: ${i.path.join('.') || '(top)'}: ${i.message}`),
    };
  }
  const errors: string[] = [];
  const seen = new Set<string>();
  const steps: StepConfig[] = parsed.data.steps.map((step, index) => {
    const id = step.id ?? step.type;
    if (seen.has(id)) errors.push(`HOOK_CONFIG ${file}: steps.${index}: the step id "${id}" is used twice; give each step its own "id"`);
    seen.add(id);
    const documents: Record<string, TermsDocument> = {};
    for (const [lang, relative] of Object.entries(step.documents)) {
      const docPath = path.resolve(path.dirname(file), relative);
      try {
        const text = readFileSync(docPath, 'utf8');
        documents[lang] = { text, sha256: createHash('sha256').update(text).digest('hex'), file: docPath };
      } catch {
        errors.push(`HOOK_CONFIG ${file}: steps.${index}.documents.${lang}: cannot read ${docPath}`);
      }
    }
    return { type: 'terms', id, version: step.version, greetingClaim: step.greetingClaim, skipIfAccepted: step.skipIfAccepted, documents };
  });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      issuer: { name: parsed.data.issuer.name, supportContact: parsed.data.issuer.supportContact },
      steps,
    },
  };
}
