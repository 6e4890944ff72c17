/** Whether two command-line paths name the same file, as the file system sees it. */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The absolute path with symbolic links resolved; for a file that does not exist yet, its folder's
 * real path joined with its name (the file it would become).
 */
async function canonical(path: string): Promise<string> {
  const real = await realpath(path).catch(() => undefined);
  if (real !== undefined) return real;
  const folder = await realpath(dirname(path)).catch(() => resolve(dirname(path)));
  return join(folder, basename(path));
}

/** True when `a` and `b` are the same file: the same real path, or hard links to one file. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (await canonical(a) === await canonical(b)) return true;
  const [statA, statB] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return statA !== undefined && statB !== undefined && statA.dev === statB.dev && statA.ino === statB.ino;
}
