import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HEX_COLOUR, primaryColourProblem } from './brand-colour.js';
import { readLogo, type Logo } from './logo-file.js';
import { STEP_TYPES } from '../interaction/steps/registry.js';
import type { ConfiguredStep, RegisteredStepType } from '../interaction/steps/configured-step.js';

/** The sample shipped with the hook, used when HOOK_CONFIG is not set. */
export const DEFAULT_HOOK_CONFIG = fileURLToPath(new URL('../../content/hook.config.json', import.meta.url));

const fileSchema = z.strictObject({
  issuer: z
    .strictObject({
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
  /** Each entry is checked by its own type's schema (steps/registry.ts). */
  steps: z.array(z.looseObject({ type: z.string() })).min(1, 'at least one step is needed'),
});

export interface Issuer {
  name: string;
  supportContact: string | undefined;
  logo: Logo | undefined;
  primaryColor: string | undefined;
}

export interface HookConfig {
  issuer: Issuer;
  /** The steps in order, each bound to its type. */
  steps: readonly ConfiguredStep[];
}

export type HookConfigResult = { ok: true; config: HookConfig } | { ok: false; errors: string[] };

/** Reads and validates the steps, terms and branding file; each problem is one plain message. */
export function loadHookConfig(
  file: string,
  options: { types?: readonly RegisteredStepType[]; env?: Readonly<Record<string, string | undefined>> } = {},
): HookConfigResult {
  const types = options.types ?? STEP_TYPES;
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
  const steps: ConfiguredStep[] = [];
  parsed.data.steps.forEach((raw, index) => {
    const type = types.find((t) => t.type === raw.type);
    if (!type) {
      errors.push(
        where(
          `steps.${index}.type: "${raw.type}" is not a step type; use one of ${types.map((t) => `"${t.type}"`).join(', ')}`,
        ),
      );
      return;
    }
    const id = typeof raw.id === 'string' ? raw.id : type.type;
    const configured = type.configure(raw, {
      dir: path.dirname(file),
      where: where(`steps.${index}`),
      id,
      env: options.env ?? {},
    });
    if (!configured.ok) {
      errors.push(...configured.problems);
      return;
    }
    const { step } = configured;
    if (seen.has(step.id))
      errors.push(where(`steps.${index}: the step id "${step.id}" is used twice; give each step its own "id"`));
    seen.add(step.id);
    for (const claim of step.claimsCollected()) {
      const other = claimedBy.get(claim);
      if (other) errors.push(where(`steps.${index}: the claim "${claim}" is also collected by step "${other}"`));
      claimedBy.set(claim, step.id);
    }
    steps.push(step);
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
      issuer: {
        name: issuer.name,
        supportContact: issuer.supportContact,
        logo,
        primaryColor: issuer.primaryColor?.toLowerCase(),
      },
      steps,
    },
  };
}
