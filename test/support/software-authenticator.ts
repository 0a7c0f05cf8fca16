import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A WebAuthn authenticator in software (ES256, attestation "none"), for tests that run the passkey
 * ceremony without a browser. It does what a real one does, and, when asked, what a broken or
 * hostile one would: skip user verification, report a counter, sign for another origin.
 */
export interface Twist {
  /** The authenticator's UV flag (default true). */
  userVerified?: boolean;
  /** The origin the "browser" puts in clientDataJSON (default: the one given). */
  origin?: string;
  /** The counter to report instead of the next one. */
  counter?: number;
}

interface Key {
  privateKey: KeyObject;
  counter: number;
}

export class SoftwareAuthenticator {
  private readonly keys = new Map<string, Key>();

  /** `startCounter`: what the counter of a new credential starts at (0: an authenticator that keeps none). */
  constructor(private readonly startCounter = 1) {}

  get credentialIds(): string[] {
    return [...this.keys.keys()];
  }

  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    origin: string,
    twist: Twist = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16);
    const counter = twist.counter ?? this.startCounter;
    this.keys.set(id.toString('base64url'), { privateKey, counter });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      authenticatorData(options.rp.id!, FLAG_AT | flags(twist), counter),
      Buffer.alloc(16),
      length,
      id,
      cose,
    ]);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: id.toString('base64url'),
      rawId: id.toString('base64url'),
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientData('webauthn.create', options.challenge, twist.origin ?? origin),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
    };
  }

  /** An assertion with the first allowed credential this authenticator holds (or `credentialId`). */
  assert(
    options: PublicKeyCredentialRequestOptionsJSON,
    origin: string,
    twist: Twist & { credentialId?: string } = {},
  ): AuthenticationResponseJSON {
    const id =
      twist.credentialId ??
      options.allowCredentials?.map((c) => c.id).find((c) => this.keys.has(c)) ??
      this.credentialIds[0];
    const key = id === undefined ? undefined : this.keys.get(id);
    if (id === undefined || !key) throw new Error('this authenticator holds no credential for these options');
    key.counter = twist.counter ?? (key.counter === 0 ? 0 : key.counter + 1);
    const authData = authenticatorData(options.rpId!, flags(twist), key.counter);
    const clientDataJSON = clientData('webauthn.get', options.challenge, twist.origin ?? origin);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest()]),
      key.privateKey,
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
      },
    };
  }
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

function flags(twist: Twist): number {
  return FLAG_UP | (twist.userVerified === false ? 0 : FLAG_UV);
}

function authenticatorData(rpId: string, flagBits: number, counter: number): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flagBits]), count]);
}

function clientData(type: string, challenge: string, origin: string): string {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })).toString('base64url');
}

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key: maps, ints, bytes, text. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map)
    return Buffer.concat([
      head(5, value.size),
      ...[...(value as Map<unknown, unknown>)].flatMap(([k, v]) => [cbor(k), cbor(v)]),
    ]);
  throw new Error('not encodable in this CBOR subset');
}
