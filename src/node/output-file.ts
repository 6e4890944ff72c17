/**
 * Replacing a file atomically: the output is written to a temporary file in the same folder and
 * renamed over the target, which keeps the target's permissions and owner and, when the user's
 * path is a symbolic link, the link itself.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidOptionError } from '../errors.js';

/** Where an output goes, and what of an existing file there to keep. */
export interface OutputTarget {
  /** The file that will be replaced or created (the user's path with symbolic links resolved). */
  path: string;
  /** A temporary file next to it: a short fixed-length name, so a name at the length limit still fits. */
  tempPath: string;
  /** Mode and owner of the file it replaces, if one exists. */
  existing?: { mode: number; uid: number; gid: number };
}

/**
 * Checks `userPath` and picks the temporary file. Refuses an existing path that is not a regular
 * file (a FIFO, a device such as /dev/stdout, a folder): renaming would replace it with one.
 * @throws InvalidOptionError for such a path.
 */
export async function outputTarget(userPath: string): Promise<OutputTarget> {
  const resolved = await realpath(userPath).catch(() => undefined);
  const path = resolved ?? userPath;
  const existing = resolved === undefined ? undefined : await stat(resolved);
  if (existing && !existing.isFile()) {
    throw new InvalidOptionError(`output ${userPath} is ${describeKind(existing)}, not a regular file; the output `
      + 'is written to a temporary file and renamed into place, so give the path of a regular or a new file');
  }
  return {
    path,
    tempPath: join(dirname(path), `.tinyhush-${randomBytes(6).toString('hex')}.tmp`),
    ...(existing && { existing: { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid } }),
  };
}

/** Gives the finished temporary file the replaced file's mode and, where permitted, its owner. */
export async function keepAttributes(target: OutputTarget): Promise<void> {
  if (!target.existing) return;
  const { mode, uid, gid } = target.existing;
  await chmod(target.tempPath, mode);
  // Only root may give a file away; anyone else keeps their own ownership, as an in-place write would.
  await chown(target.tempPath, uid, gid).catch(() => undefined);
}

function describeKind(stats: Awaited<ReturnType<typeof stat>>): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}
