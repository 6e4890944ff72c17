/**
 * Worker threads cannot run the TypeScript sources Jest runs (Node 20 has no TypeScript loader),
 * so tests of the worker pool transpile src/ file by file (as ts-jest does, isolated modules) into
 * build/test-src-<pid>/ and load the pool from there: the pool finds pool-worker.js next to it,
 * as in the built package. build/ is ignored by git; the models are found from the package root.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = process.cwd();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Transpiles src/ into a fresh folder; returns it (its layout mirrors src/). */
export function transpileSources(): string {
  const out = join(ROOT, 'build', `test-src-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  for (const file of sources(join(ROOT, 'src'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const target = join(out, relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return out;
}

/** Removes what `transpileSources` wrote. */
export function removeTranspiled(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
