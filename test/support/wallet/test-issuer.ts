import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import type { TestCertificate } from './test-pki.js';

/**
 * An SD-JWT VC issuer written from the specifications (SD-JWT, RFC 9901; SD-JWT VC; Token Status
 * List), independent of the libraries the hook verifies with: what the hook's verifier is tested
 * against.
 */
export interface TestIssuer {
  iss: string;
  jwks: JSONWebKeySet;
  issue(input: IssueInput): Promise<IssuedCredential>;
  /** A status list token (`statuslist+jwt`) for `uri`, one status per credential index. */
  statusList(uri: string, statuses: readonly number[], options?: { bits?: 1 | 2 }): Promise<string>;
}

export interface IssueInput {
  vct: string;
  /** Selectively disclosable claims (each one disclosure). */
  disclosable: Readonly<Record<string, unknown>>;
  /** Claims always visible. */
  plain?: Readonly<Record<string, unknown>>;
  holder: JWK;
  exp?: number;
  nbf?: number;
  status?: { uri: string; idx: number };
  /** Leave `iss` out (an x5c issuer names itself by its certificate). */
  omitIss?: boolean;
}

export interface IssuedCredential {
  jwt: string;
  /** Disclosure by claim name: the holder chooses which to present. */
  disclosures: Record<string, string>;
}

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');
export const sha256b64url = (text: string): string => createHash('sha256').update(text).digest('base64url');

export function disclosure(name: string, value: unknown, salt = b64url(randomBytes(16))): string {
  return b64url(JSON.stringify([salt, name, value]));
}

/** An issuer that signs with a key listed by `iss` (a JWKS), or with the key of an x5c chain. */
export async function makeIssuer(options: { iss: string; chain?: readonly TestCertificate[] }): Promise<TestIssuer> {
  const { iss, chain } = options;
  const signing = chain
    ? { privateKey: chain[0]!.keys.privateKey, publicKey: chain[0]!.keys.publicKey }
    : await generateKeyPair('ES256', { extractable: true });
  const kid = 'issuer-key-1';
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const header = (typ: string) =>
    chain ? { alg: 'ES256', typ, x5c: chain.map((c) => c.der) } : { alg: 'ES256', typ, kid };
  const now = () => Math.floor(Date.now() / 1000);
  return {
    iss,
    jwks: { keys: [publicJwk] },
    async issue(input) {
      const disclosures = Object.fromEntries(
        Object.entries(input.disclosable).map(([name, value]) => [name, disclosure(name, value)]),
      );
      const digests = Object.values(disclosures).map(sha256b64url).sort();
      const payload = {
        ...(input.omitIss ? {} : { iss }),
        iat: now(),
        ...(input.exp === undefined ? {} : { exp: input.exp }),
        ...(input.nbf === undefined ? {} : { nbf: input.nbf }),
        vct: input.vct,
        cnf: { jwk: input.holder },
        ...(input.status ? { status: { status_list: input.status } } : {}),
        ...input.plain,
        _sd: digests,
        _sd_alg: 'sha-256',
      };
      const jwt = await new SignJWT(payload).setProtectedHeader(header('dc+sd-jwt')).sign(signing.privateKey);
      return { jwt, disclosures };
    },
    async statusList(uri, statuses, listOptions = {}) {
      const bits = listOptions.bits ?? 2;
      const bytes = new Uint8Array(Math.ceil((statuses.length * bits) / 8));
      // Token Status List §4.1: the status of index i sits in bits, least significant first.
      statuses.forEach((status, i) => {
        const bit = i * bits;
        bytes[bit >> 3]! |= status << (bit & 7);
      });
      const lst = b64url(deflateSync(bytes));
      return new SignJWT({
        ...(chain ? {} : { iss }),
        sub: uri,
        iat: now(),
        exp: now() + 3600,
        status_list: { bits, lst },
      })
        .setProtectedHeader(header('statuslist+jwt'))
        .sign(signing.privateKey);
    },
  };
}
