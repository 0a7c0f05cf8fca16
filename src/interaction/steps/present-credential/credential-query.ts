import { DcqlPresentationResult, DcqlQuery } from 'dcql';
import { z } from 'zod';
import { PresentationRejected } from './rejection.js';

const claimPath = z
  .array(z.union([z.string().min(1).max(64), z.number().int().nonnegative(), z.null()]))
  .min(1)
  .max(8);

const credentialId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a credential query id is letters, digits, "_" and "-"');
const claimValues = z.array(z.union([z.string(), z.number(), z.boolean()])).optional();
/** An mdoc's namespace, element identifier or doctype. */
const mdocName = z.string().min(1).max(256);

const sdJwtCredentialQuery = z.strictObject({
  id: credentialId,
  format: z.literal('dc+sd-jwt'),
  meta: z.strictObject({ vct_values: z.array(z.string().min(1)).min(1) }),
  claims: z.array(z.strictObject({ id: z.string().optional(), path: claimPath, values: claimValues })).min(1),
});

/** An ISO mdoc (OpenID4VP 1.0 B.2): its doctype, and claims as [namespace, element identifier]. */
const mdocCredentialQuery = z.strictObject({
  id: credentialId,
  format: z.literal('mso_mdoc'),
  meta: z.strictObject({ doctype_value: mdocName }),
  claims: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        path: z.tuple([mdocName, mdocName]),
        values: claimValues,
        intent_to_retain: z.boolean().optional(),
      }),
    )
    .min(1),
});

/**
 * The DCQL query a steps file may hold: one credential (an SD-JWT VC or an ISO mdoc), its types and
 * the claims it needs. Keys DCQL knows but this step does not use (credential sets, claim sets) are
 * refused rather than silently ignored.
 */
export const credentialQuerySchema = z.strictObject({
  credentials: z.tuple(
    [
      z.discriminatedUnion('format', [sdJwtCredentialQuery, mdocCredentialQuery], {
        error: 'a credential query\'s format is "dc+sd-jwt" or "mso_mdoc"',
      }),
    ],
    {
      error: 'the query asks for exactly one credential',
    },
  ),
});

export type CredentialQuery = z.infer<typeof credentialQuerySchema>;
type AskedCredential = CredentialQuery['credentials'][0];

/** The credential types the query accepts: its `vct` values, or its one doctype. */
export function askedTypes(asked: AskedCredential): readonly string[] {
  return asked.format === 'mso_mdoc' ? [asked.meta.doctype_value] : asked.meta.vct_values;
}

/**
 * The path of the claim `collect` names: an SD-JWT VC's top-level claim, or an mdoc's element
 * identifier when exactly one namespace of the query has it.
 */
export function claimPathFor(asked: AskedCredential, name: string): readonly (string | number | null)[] | undefined {
  const found = asked.claims.filter((c) =>
    asked.format === 'mso_mdoc' ? c.path[1] === name : c.path.length === 1 && c.path[0] === name,
  );
  return found.length === 1 ? found[0]?.path : undefined;
}

/** How the page names a claim it asks for: an mdoc's element identifier, an SD-JWT VC's dotted path. */
export function claimLabel(asked: AskedCredential, path: readonly (string | number | null)[]): string {
  return asked.format === 'mso_mdoc' ? String(path[1]) : path.join('.');
}

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
export function checkAnswersQuery(
  dcql: DcqlQuery,
  credentialId: string,
  credential: { format: 'dc+sd-jwt' | 'mso_mdoc'; type: string; claims: Record<string, unknown> },
): void {
  const presented =
    credential.format === 'mso_mdoc'
      ? {
          credential_format: 'mso_mdoc' as const,
          doctype: credential.type,
          namespaces: credential.claims as Record<string, Record<string, unknown>>,
          cryptographic_holder_binding: true,
        }
      : {
          credential_format: 'dc+sd-jwt' as const,
          vct: credential.type,
          claims: credential.claims as Record<string, never>,
          cryptographic_holder_binding: true,
        };
  const result = DcqlPresentationResult.fromDcqlPresentation({ [credentialId]: [presented] }, { dcqlQuery: dcql });
  if (!result.can_be_satisfied) throw new PresentationRejected('claims_missing');
}

/** The value at a claim path (strings for keys, numbers for array items, null for every item). */
export function claimAt(claims: unknown, path: readonly (string | number | null)[]): unknown {
  let here: unknown = claims;
  for (const key of path) {
    if (key === null) return Array.isArray(here) ? here : undefined;
    if (typeof key === 'number') here = Array.isArray(here) ? here[key] : undefined;
    else
      here =
        typeof here === 'object' && here !== null && !Array.isArray(here) && Object.hasOwn(here, key)
          ? (here as Record<string, unknown>)[key]
          : undefined;
    if (here === undefined) return undefined;
  }
  return here;
}
