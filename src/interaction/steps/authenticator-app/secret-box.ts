import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for what the step keeps that would let anyone make codes: the app's secret, and the
 * recovery codes until the person has seen them. Each sealed value is bound to what it belongs to
 * (`context`, e.g. the subject), so a value moved to another row does not open. The key's short
 * fingerprint travels with the value, so a changed key is told apart from a damaged value.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(root: Buffer) {
    this.key = sealingKey(root);
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 8);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${this.keyId}.${body.toString('base64url')}`;
  }

  /** The plain value, or why not: sealed under another key, or not a value this box sealed for `context`. */
  open(sealed: string, context: string): { ok: true; plain: string } | { ok: false; why: 'other-key' | 'damaged' } {
    const [version, keyId, encoded] = sealed.split('.');
    if (version !== VERSION || encoded === undefined) return { ok: false, why: 'damaged' };
    if (keyId !== this.keyId) return { ok: false, why: 'other-key' };
    const body = Buffer.from(encoded, 'base64url');
    if (body.length < IV_BYTES + TAG_BYTES) return { ok: false, why: 'damaged' };
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, body.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return {
        ok: true,
        plain: Buffer.concat([
          decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8'),
      };
    } catch {
      return { ok: false, why: 'damaged' };
    }
  }
}

/** The box's AES key, from the step's root key. */
export function sealingKey(root: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'authenticator-app: secrets at rest', 32));
}

/** The key for the recovery codes' keyed hashes, from the same root as the box's. */
export function recoveryHashKey(root: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'authenticator-app: recovery codes', 32));
}
