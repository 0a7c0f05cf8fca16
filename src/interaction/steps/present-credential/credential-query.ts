import { DcqlPresentationResult, DcqlQuery } from 'dcql';
import { z } from 'zod';
import { PresentationRejected } from './rejection.js';

const claimPath = z
  .array(z.union([z.string().min(1).max(64), z.number().int().nonnegative(), z.null()]))
  .min(1)
  .max(8);

/**
 * The DCQL query a steps file may hold: one SD-JWT VC credential, its types and the claims it needs.
 * Keys DCQL knows but this step does not use (credential sets, claim sets) are refused rather than
 * silently ignored.
 */
export const credentialQuerySchema = z.strictObject({
  credentials: z.tuple(
    [
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a credential query id is letters, digits, "_" and "-"'),
        format: z.literal('dc+sd-jwt'),
        meta: z.strictObject({ vct_values: z.array(z.string().min(1)).min(1) }),
        claims: z.array(z.strictObject({ id: z.string().optional(), path: claimPath, values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional() })).min(1),
      }),
    ],
    { error: 'the query asks for exactly one credential' },
  ),
});

export type CredentialQuery = z.infer<typeof credentialQuerySchema>;

/** The query as DCQL parses it: problems as sentences for the start-up message. */
export function parseDcql(query: CredentialQuery): { ok: true; dcql: DcqlQuery } | { ok: false; problem: string } {
  try {
    const dcql = DcqlQuery.parse(query);
    DcqlQuery.validate(dcql);
    return { ok: true, dcql };
  } catch (error) {
    return { ok: false, problem: `"query" is not a valid DCQL query: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Refuses a verified credential that does not answer the query (its claims and their values). */
export function checkAnswersQuery(dcql: DcqlQuery, credentialId: string, credential: { type: string; claims: Record<string, unknown> }): void {
  const result = DcqlPresentationResult.fromDcqlPresentation(
    { [credentialId]: [{ credential_format: 'dc+sd-jwt', vct: credential.type, claims: credential.claims as Record<string, never>, cryptographic_holder_binding: true }] },
    { dcqlQuery: dcql },
  );
  if (!result.can_be_satisfied) throw new PresentationRejected('claims_missing');
}

/** The value at a claim path (strings for keys, numbers for array items, null for every item). */
export function claimAt(claims: unknown, path: readonly (string | number | null)[]): unknown {
  let here: unknown = claims;
  for (const key of path) {
    if (key === null) return Array.isArray(here) ? here : undefined;
    if (typeof key === 'number') here = Array.isArray(here) ? here[key] : undefined;
    else here = typeof here === 'object' && here !== null && !Array.isArray(here) && Object.hasOwn(here, key) ? (here as Record<string, unknown>)[key] : undefined;
    if (here === undefined) return undefined;
  }
  return here;
}
