import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { claimNameSchema, stepIdSchema, type EntryContext, type StepConfigBase } from '../step-type.js';
import { claimPathFor, credentialQuerySchema, parseDcql, type CredentialQuery } from './credential-query.js';
import type { IssuerTrust } from './issuer-trust.js';
import type { VerifierIdentity } from './presentation-request.js';
import type { DcqlQuery } from 'dcql';

const file = z.string().min(1);

/** The `present-credential` entry of a steps file; only `query` and `trust` are required. */
export const presentCredentialSchema = z.strictObject({
  type: z.literal('present-credential'),
  id: stepIdSchema,
  query: credentialQuerySchema,
  trust: z
    .strictObject({
      x509Roots: z.array(file).default([]),
      issuers: z.array(z.strictObject({ iss: z.url({ protocol: /^https$/ }), jwks: file })).default([]),
    })
    .refine(
      (t) => t.x509Roots.length + t.issuers.length > 0,
      'trust names no root and no issuer: no credential could ever be accepted',
    ),
  matchClaim: z
    .strictObject({
      session: claimNameSchema,
      credential: z.array(z.string().min(1)).min(1),
      compare: z.enum(['exact', 'ignore-case']).default('exact'),
    })
    .optional(),
  /** Credential claim → the claim the tenant receives. */
  collect: z.record(claimNameSchema, claimNameSchema).default({}),
  clientId: z
    .string()
    .regex(
      /^(x509_san_dns:[A-Za-z0-9.-]+|redirect_uri:.*)$/,
      'clientId is "x509_san_dns:<the hook’s host>" (or "redirect_uri:" for local use)',
    )
    .optional(),
  requestKey: file.optional(),
  requestCertificate: file.optional(),
  walletUrl: z
    .string()
    .regex(/^[a-z][a-z0-9+.-]*:/, 'walletUrl is a URL, e.g. openid4vp:// or a web wallet')
    .default('openid4vp://'),
});

export type PresentCredentialEntry = z.output<typeof presentCredentialSchema>;

export interface PresentCredentialConfig extends StepConfigBase {
  readonly type: 'present-credential';
  query: CredentialQuery;
  dcql: DcqlQuery;
  trust: IssuerTrust;
  /** The files trust was read from, for `doctor`. */
  trustFiles: { roots: readonly string[] };
  matchClaim: { session: string; credential: readonly string[]; compare: 'exact' | 'ignore-case' } | undefined;
  collect: Readonly<Record<string, string>>;
  identity: VerifierIdentity;
  walletUrl: string;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** The entry made ready: the files beside the steps file read, the request key matched to its certificate. */
export function loadPresentCredential(
  entry: PresentCredentialEntry,
  at: EntryContext,
): { ok: true; config: PresentCredentialConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const say = (problem: string) => problems.push(`${at.where}: ${problem}`);
  const read = (path: string, what: string): string | undefined => {
    try {
      return readFileSync(resolve(at.dir, path), 'utf8');
    } catch {
      say(`${what} "${path}" cannot be read`);
      return undefined;
    }
  };

  const parsed = parseDcql(entry.query);
  if (!parsed.ok) say(parsed.problem);
  const [credential] = entry.query.credentials;
  const asked = credential.claims.map((c) => JSON.stringify(c.path));
  const naming =
    credential.format === 'mso_mdoc'
      ? ' (an mso_mdoc claim is named by its element identifier, asked for in one namespace)'
      : '';
  for (const name of Object.keys(entry.collect))
    if (claimPathFor(credential, name) === undefined)
      say(`collect names "${name}", which the query does not ask for${naming}`);
  if (entry.matchClaim && !asked.includes(JSON.stringify(entry.matchClaim.credential)))
    say(`matchClaim.credential ${JSON.stringify(entry.matchClaim.credential)} is not a claim the query asks for`);

  if (credential.format === 'mso_mdoc' && entry.trust.x509Roots.length === 0)
    say('an mso_mdoc query needs trust.x509Roots: the IACA root certificates of the issuers whose mdocs are accepted');
  const roots: X509Certificate[] = [];
  for (const path of entry.trust.x509Roots) {
    const pem = read(path, 'the root certificate');
    const certificates = pem === undefined ? [] : pemCertificates(pem);
    if (pem !== undefined && certificates.length === 0) say(`"${path}" holds no PEM certificate`);
    roots.push(...certificates);
  }
  const issuers = new Map<string, JSONWebKeySet>();
  for (const { iss, jwks } of entry.trust.issuers) {
    const text = read(jwks, `the JWKS of ${iss}`);
    if (text === undefined) continue;
    const set = publicJwks(text);
    if (set === undefined) say(`"${jwks}" is not a JWKS of public keys ({"keys": [...]}, no private parts)`);
    else issuers.set(iss, set);
  }

  const identity = verifierIdentity(entry, at, read, say);
  if (problems.length > 0 || !parsed.ok || identity === undefined) return { ok: false, problems };
  return {
    ok: true,
    config: {
      type: 'present-credential',
      id: at.id,
      query: entry.query,
      dcql: parsed.dcql,
      trust: { roots, issuers },
      trustFiles: { roots: entry.trust.x509Roots.map((p) => resolve(at.dir, p)) },
      matchClaim: entry.matchClaim,
      collect: entry.collect,
      identity,
      walletUrl: entry.walletUrl,
    },
  };
}

/** Who the hook is to wallets: a signing key and certificate for `x509_san_dns:`, nothing for local `redirect_uri:`. */
function verifierIdentity(
  entry: PresentCredentialEntry,
  at: EntryContext,
  read: (path: string, what: string) => string | undefined,
  say: (problem: string) => void,
): VerifierIdentity | undefined {
  const hookUrl = at.env.HOOK_URL;
  const clientId = entry.clientId ?? (hookUrl ? `x509_san_dns:${safeHost(hookUrl) ?? ''}` : '');
  if (clientId.startsWith('redirect_uri:')) {
    if (hookUrl === undefined || !LOOPBACK.includes(safeHost(hookUrl) ?? '')) {
      say(
        'a "redirect_uri:" clientId sends unsigned requests, which only a hook on this machine (a loopback HOOK_URL) may do',
      );
      return undefined;
    }
    return { prefix: 'redirect_uri' };
  }
  const host = clientId.slice('x509_san_dns:'.length);
  if (entry.requestKey === undefined || entry.requestCertificate === undefined) {
    say('an "x509_san_dns:" clientId needs "requestKey" and "requestCertificate" to sign its requests');
    return undefined;
  }
  const keyPem = read(entry.requestKey, 'the request key');
  const certPem = read(entry.requestCertificate, 'the request certificate');
  if (keyPem === undefined || certPem === undefined) return undefined;
  const chain = pemCertificates(certPem);
  const leaf = chain[0];
  if (!leaf) {
    say(`"${entry.requestCertificate}" holds no PEM certificate`);
    return undefined;
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    say(`"${entry.requestKey}" is not a PEM private key`);
    return undefined;
  }
  const alg = signingAlgorithm(key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve);
  if (alg === undefined) say(`"${entry.requestKey}" is not an EC (P-256/P-384), Ed25519 or RSA key`);
  if (
    createPublicKey(key)
      .export({ format: 'der', type: 'spki' })
      .compare(leaf.publicKey.export({ format: 'der', type: 'spki' })) !== 0
  )
    say(`"${entry.requestKey}" is not the key of "${entry.requestCertificate}"`);
  if (leaf.checkHost(host, { subject: 'never' }) === undefined)
    say(
      `"${entry.requestCertificate}" does not name ${host} as a DNS name (subjectAltName), which wallets require for clientId ${clientId}`,
    );
  if (alg === undefined) return undefined;
  return { prefix: 'x509_san_dns', clientId, key, alg, certificates: chain.map((c) => c.raw.toString('base64')) };
}

function signingAlgorithm(type: string | undefined, curve: string | undefined): string | undefined {
  if (type === 'ec') return curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : undefined;
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'rsa') return 'PS256';
  return undefined;
}

/** Every certificate in a PEM text, in order. */
function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      return [];
    }
  }
  return out;
}

function publicJwks(text: string): JSONWebKeySet | undefined {
  try {
    const set = JSON.parse(text) as unknown;
    if (typeof set !== 'object' || set === null || !Array.isArray((set as { keys?: unknown }).keys)) return undefined;
    const keys = (set as { keys: unknown[] }).keys;
    if (
      keys.length === 0 ||
      !keys.every(
        (k) =>
          typeof k === 'object' &&
          k !== null &&
          typeof (k as { kty?: unknown }).kty === 'string' &&
          !('d' in k) &&
          !('k' in k),
      )
    )
      return undefined;
    return set as JSONWebKeySet;
  } catch {
    return undefined;
  }
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
