import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HEX_COLOUR, primaryColourProblem } from './brand-colour.js';
import { LANGUAGE_TAG } from './localised-text.js';
import { readLogo, type Logo } from './logo-file.js';
import { profileStepSchema, type ProfileStepConfig } from './profile-config.js';

/** The sample shipped with the hook, used when HOOK_CONFIG is not set. */
export const DEFAULT_HOOK_CONFIG = fileURLToPath(new URL('../../content/hook.config.json', import.meta.url));

const termsStep = z.object({
  type: z.literal('terms'),
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a step id is lower-case letters, digits and dashes')
    .optional(),
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

const fileSchema = z.object({
  issuer: z
    .object({
      name: z.string().trim().min(1).max(80),
      /** An email address, a phone number or an https:// page; shown on every page. */
      supportContact: z.string().trim().max(200).optional(),
      /** PNG, JPEG, WebP or SVG, relative to the config file; shown beside the name. */
      logo: z.string().min(1).optional(),
      /** #rrggbb for the main button, links and focus ring; white text must be readable on it. */
      primaryColor: z
        .string()
        .regex(HEX_COLOUR, 'a colour is written #rrggbb')
        .superRefine((hex, ctx) => {
          const problem = primaryColourProblem(hex);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
    })
    .default({ name: 'The issuer' }),
  steps: z.array(z.discriminatedUnion('type', [termsStep, profileStepSchema])).min(1, 'at least one step is needed'),
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

export type StepConfig = TermsStepConfig | ProfileStepConfig;

export interface Issuer {
  name: string;
  supportContact: string | undefined;
  logo: Logo | undefined;
  primaryColor: string | undefined;
}

export interface HookConfig {
  issuer: Issuer;
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
  const where = (at: string) => `HOOK_CONFIG ${file}: ${at}`;
  const seen = new Set<string>();
  const claimedBy = new Map<string, string>();
  const steps: StepConfig[] = parsed.data.steps.map((step, index) => {
    const id = step.id ?? step.type;
    if (seen.has(id)) errors.push(where(`steps.${index}: the step id "${id}" is used twice; give each step its own "id"`));
    seen.add(id);
    if (step.type === 'profile') {
      for (const field of step.fields) {
        const other = claimedBy.get(field.claim);
        if (other) errors.push(where(`steps.${index}: the claim "${field.claim}" is also collected by step "${other}"`));
        claimedBy.set(field.claim, id);
      }
      return { type: 'profile', id, title: step.title, intro: step.intro, fields: step.fields };
    }
    const documents: Record<string, TermsDocument> = {};
    for (const [lang, relative] of Object.entries(step.documents)) {
      const docPath = path.resolve(path.dirname(file), relative);
      try {
        const text = readFileSync(docPath, 'utf8');
        documents[lang] = { text, sha256: createHash('sha256').update(text).digest('hex'), file: docPath };
      } catch {
        errors.push(where(`steps.${index}.documents.${lang}: cannot read ${docPath}`));
      }
    }
    return { type: 'terms', id, version: step.version, greetingClaim: step.greetingClaim, skipIfAccepted: step.skipIfAccepted, documents };
  });
  const { issuer } = parsed.data;
  let logo: Logo | undefined;
  if (issuer.logo !== undefined) {
    const read = readLogo(path.resolve(path.dirname(file), issuer.logo));
    if (read.ok) logo = read.logo;
    else errors.push(where(`issuer.logo: ${read.problem}`));
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      issuer: { name: issuer.name, supportContact: issuer.supportContact, logo, primaryColor: issuer.primaryColor?.toLowerCase() },
      steps,
    },
  };
}
