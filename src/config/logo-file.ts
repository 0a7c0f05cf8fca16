import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The issuer's logo, read once at start-up and served from memory. */
export interface Logo {
  bytes: Buffer;
  contentType: string;
  /** Short content hash: part of the logo's URL, so browsers may cache it for long. */
  version: string;
}

/** Big enough for any sensible logo, small enough for a phone on a slow network. */
export const MAX_LOGO_BYTES = 100 * 1024;

/** Reads a PNG, JPEG, WebP or SVG logo, judging the type by its content, not its name. */
export function readLogo(file: string): { ok: true; logo: Logo } | { ok: false; problem: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { ok: false, problem: `cannot read ${file}` };
  }
  if (bytes.length > MAX_LOGO_BYTES)
    return {
      ok: false,
      problem: `${file} is ${Math.ceil(bytes.length / 1024)} KB; a logo may be at most ${MAX_LOGO_BYTES / 1024} KB`,
    };
  const contentType = sniff(bytes);
  if (!contentType) return { ok: false, problem: `${file} is not a PNG, JPEG, WebP or SVG image` };
  return {
    ok: true,
    logo: { bytes, contentType, version: createHash('sha256').update(bytes).digest('hex').slice(0, 12) },
  };
}

function sniff(bytes: Buffer): string | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  const head = bytes.toString('utf8', 0, 512).trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(head)) return 'image/svg+xml';
  return null;
}
