import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sameSecret } from '../mattr/hook-secret.js';
import type { CommandIo } from './command.js';

/** The options of every command after which the tenant may hand out a secret. */
export const SECRET_OPTIONS = {
  'secret-file': { type: 'string' },
  'show-secret': { type: 'boolean' },
} as const;

export const SECRET_HELP = `  --secret-file FILE     write the hook secret to FILE (mode 0600, replaced in one step)
  --show-secret          print the hook secret (it is never printed otherwise)
`;

export interface SecretWish {
  'secret-file'?: string;
  'show-secret'?: boolean;
}

/**
 * Hands the secret over only as asked: into a 0600 file, or printed with --show-secret; else says
 * how to get it. Also says when the secret changed or differs from this environment's.
 * Returns false when the file could not be written.
 */
export function handOverSecret(
  io: CommandIo,
  secret: string | undefined,
  wish: SecretWish,
  notes: { rotated: boolean },
): boolean {
  if (secret === undefined) {
    io.out.write('The tenant returned no secret.\n');
    return true;
  }
  let written = true;
  const file = wish['secret-file'];
  if (file !== undefined) {
    try {
      writeSecretFile(file, secret);
      io.out.write(`Secret written to ${file} (mode 0600).\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      io.err.write(
        `Could not write the secret to ${file} (${code}). The tenant holds it: fetch it again with --secret-file or --show-secret.\n`,
      );
      written = false;
    }
  }
  if (wish['show-secret'] === true) io.out.write(`Secret: ${secret}\n`);
  if (file === undefined && wish['show-secret'] !== true) {
    io.out.write(
      'The secret is not shown. Write it to a file with --secret-file FILE (mode 0600), or print it with "interaction-hook status --show-secret".\n',
    );
  }
  if (notes.rotated) {
    io.out.write(
      'The tenant issued a NEW secret with this change. Running hooks with management credentials pick it up by themselves; give it to the others as INTERACTION_HOOK_SECRET, with the old one as INTERACTION_HOOK_PREVIOUS_SECRET until journeys in flight are done (docs/registration.md, "Rotating the hook secret").\n',
    );
  }
  const configured = io.env.INTERACTION_HOOK_SECRET?.trim();
  if (configured && !sameSecret(configured, secret)) {
    io.out.write(
      'INTERACTION_HOOK_SECRET in this environment is not the registered secret: a hook started with it and no management credentials would refuse every user.\n',
    );
  }
  return written;
}

/** Written under a temporary name with mode 0600 and renamed: never readable by others, never half-written. */
function writeSecretFile(file: string, secret: string): void {
  const target = path.resolve(file);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, secret, { mode: 0o600, flag: 'wx' });
  try {
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
