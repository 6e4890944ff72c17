/**
 * Imports a module of `src/` that the package does not export (e.g. the Pareto plot), transpiled
 * by the `typescript` devDependency into node_modules/.cache (where its own imports of packages
 * resolve) together with every module it imports relatively: the bench reuses the code instead of
 * copying it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.mjs';

const outRoot = join(repoRoot, 'node_modules/.cache/tinyhush-bench-src');

/** Transpiles `file` (absolute, .ts) and, recursively, its relative imports; returns the .js path. */
async function transpile(ts, file, done) {
  const out = join(outRoot, relative(repoRoot, file)).replace(/\.ts$/, '.js');
  if (done.has(file)) return out;
  done.add(file);
  const source = await readFile(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  for (const [, specifier] of outputText.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
    await transpile(ts, resolve(dirname(file), `${specifier}.ts`), done);
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, outputText);
  return out;
}

/** The module `src/<path>.ts` (path relative to src/, without extension). */
export async function importSource(path) {
  const { default: ts } = await import('typescript');
  // ES modules: under node_modules no package.json of the repository applies, and as CommonJS a cycle of imports fails.
  await mkdir(outRoot, { recursive: true });
  await writeFile(join(outRoot, 'package.json'), '{ "type": "module" }\n');
  const out = await transpile(ts, join(repoRoot, 'src', `${path}.ts`), new Set());
  return import(pathToFileURL(out).href);
}
