import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * The embedded database holds claims and the consent ledger: DATA_DIR is `0700`, the SQLite file
 * and its `-wal` and `-shm` companions `0600`. Files another user can already read are not
 * quietly tightened but refused, naming the path and the fix: they may have been read already,
 * and the operator should know.
 */
class PrivateFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateFilesError';
  }
}

/** The companions SQLite keeps beside the database file in WAL mode. */
const COMPANIONS = ['', '-wal', '-shm'];

/** Before opening: DATA_DIR made `0700` (or checked), the database file made `0600` (or checked). */
export function preparePrivateDatabase(dir: string, file: string): void {
  if (modeOf(dir) === undefined) mkdirSync(dir, { recursive: true, mode: 0o700 });
  refuseShared(dir, 'DATA_DIR', 700);
  for (const suffix of COMPANIONS) refuseShared(`${file}${suffix}`, 'the database file', 600);
  // Created here, empty, before SQLite creates it with the usual 0644; SQLite then gives its
  // -wal and -shm files the mode of this one.
  closeSync(openSync(file, 'a', 0o600));
}

/** After opening: the `-wal` and `-shm` files SQLite made, held to `0600` whatever it chose. */
export function keepDatabasePrivate(file: string): void {
  for (const suffix of COMPANIONS) {
    const mode = modeOf(`${file}${suffix}`);
    if (mode !== undefined && (mode & 0o077) !== 0) chmodSync(`${file}${suffix}`, 0o600);
  }
}

function refuseShared(target: string, what: string, fix: number): void {
  const mode = modeOf(target);
  if (mode === undefined || (mode & 0o077) === 0) return;
  throw new PrivateFilesError(
    `${what} ${target} can be read or written by other users (mode ${(mode & 0o777).toString(8)}); it holds claims and the consent ledger. Fix: chmod ${fix} ${quoted(target)}`,
  );
}

function modeOf(target: string): number | undefined {
  try {
    return statSync(target).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A path as a shell takes it, for the fix to paste. */
function quoted(target: string): string {
  return /^[\w./-]+$/.test(target) ? target : `'${target.replace(/'/g, `'\\''`)}'`;
}
