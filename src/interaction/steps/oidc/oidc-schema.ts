import { inspect } from 'node:util';
import { z } from 'zod';
import { brokenUrlRules } from '../../../web/url-rules.js';
import { localisedText, type LocalisedText } from '../localised-text.js';
import { claimNameSchema, stepIdSchema, type EntryContext, type StepConfigBase } from '../step-type.js';

/**
 * The oidc step's part of the steps file: a step-up sign-in at an OpenID provider. Strict: a
 * misspelt `requireAcr` must be an error, not a check silently left out.
 */

const acrValue = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'an acr value is 1 to 200 printable characters without spaces');

export const oidcStepSchema = z.strictObject({
  type: z.literal('oidc'),
  id: stepIdSchema,
  /** The issuer identifier exactly as the provider's discovery document states it. */
  issuer: z.string().min(1).max(500),
  clientId: z.string().min(1).max(200),
  /** The environment variable that holds the client secret; omitted for a public client (PKCE only). */
  clientSecretVariable: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,99}$/, 'a variable name is upper-case letters, digits and "_"')
    .optional(),
  scope: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'scopes are separated by single spaces')
    .refine((scope) => scope.split(' ').includes('openid'), 'the scope must include "openid"')
    .default('openid'),
  acrValues: z.array(acrValue).min(1).max(10).optional(),
  /** Seconds since the user last signed in at the provider; 0 asks for a fresh sign-in. */
  maxAge: z.number().int().min(0).max(86_400).optional(),
  prompt: z.enum(['login', 'consent', 'select_account']).optional(),
  requireAcr: z.array(acrValue).min(1).max(10).optional(),
  /**
   * The person who signed in is the person the credential is for: the two claims are equal, exactly
   * or (`ignore-case`, e.g. for email addresses) once trimmed, Unicode-normalised and lower-cased.
   */
  matchClaim: z
    .strictObject({
      session: claimNameSchema,
      idToken: claimNameSchema,
      compare: z.enum(['exact', 'ignore-case']).default('exact'),
    })
    .optional(),
  /** ID token claim → the claim name the tenant receives it under. */
  collect: z
    .record(claimNameSchema, claimNameSchema)
    .refine((map) => Object.keys(map).length <= 10, 'collect at most 10 claims')
    .refine(
      (map) => new Set(Object.values(map)).size === Object.keys(map).length,
      'two ID token claims are sent under the same name',
    )
    .optional(),
  /** How the page names the provider, one string or one per language; the issuer's host name when omitted. */
  providerName: localisedText(80).optional(),
});

export type OidcStepEntry = z.output<typeof oidcStepSchema>;

/** A client secret that prints as a placeholder, however it ends up in a log or a message. */
export class ClientSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[secret]';
  }
  toString(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export interface OidcStepConfig extends StepConfigBase {
  type: 'oidc';
  issuer: string;
  clientId: string;
  clientSecret: ClientSecret | undefined;
  /** Plain http, allowed on a loopback host only (a local provider). */
  insecure: boolean;
  scope: string;
  acrValues: readonly string[] | undefined;
  maxAge: number | undefined;
  prompt: 'login' | 'consent' | 'select_account' | undefined;
  requireAcr: readonly string[] | undefined;
  matchClaim: { session: string; idToken: string; compare: 'exact' | 'ignore-case' } | undefined;
  collect: Readonly<Record<string, string>>;
  providerName: LocalisedText;
}

/** The entry with its secret looked up in the environment, and its issuer checked. */
export function loadOidc(
  entry: OidcStepEntry,
  at: EntryContext,
): { ok: true; config: OidcStepConfig } | { ok: false; problems: string[] } {
  const broken = brokenUrlRules(entry.issuer, {
    http: 'loopback',
    noQuery: true,
    noFragment: true,
    noCredentials: true,
  });
  const problems = [
    ...new Set(
      broken.map((rule) => {
        if (rule === 'valid URL') return `${at.where}.issuer: not a URL`;
        if (rule === 'HTTPS')
          return `${at.where}.issuer: must be https:// (http:// only on a loopback host such as 127.0.0.1)`;
        return `${at.where}.issuer: an issuer identifier has no query, fragment or credentials`;
      }),
    ),
  ];
  const issuer = broken.includes('valid URL') ? undefined : new URL(entry.issuer);
  let clientSecret: ClientSecret | undefined;
  if (entry.clientSecretVariable !== undefined) {
    const value = at.env[entry.clientSecretVariable]?.trim();
    if (value) clientSecret = new ClientSecret(value);
    else
      problems.push(
        `${at.where}.clientSecretVariable: the variable ${entry.clientSecretVariable} is not set; set it to the client secret the provider issued`,
      );
  }
  if (problems.length > 0 || !issuer) return { ok: false, problems };
  return {
    ok: true,
    config: {
      type: 'oidc',
      id: at.id,
      issuer: entry.issuer,
      clientId: entry.clientId,
      clientSecret,
      insecure: issuer.protocol === 'http:',
      scope: entry.scope,
      acrValues: entry.acrValues,
      maxAge: entry.maxAge,
      prompt: entry.prompt,
      requireAcr: entry.requireAcr,
      matchClaim: entry.matchClaim,
      collect: entry.collect ?? {},
      providerName: entry.providerName ?? issuer.hostname,
    },
  };
}
