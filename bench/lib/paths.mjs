/** Where the benchmark finds the repository, the shared folder (peer models) and the test set. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Repository root (this file lives in `bench/lib/`). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** `../shared` next to the clone, unless `TINYHUSH_SHARED_DIR` says otherwise. */
export const sharedDir = process.env.TINYHUSH_SHARED_DIR ?? resolve(repoRoot, '../shared');

/** Held-out test split (version 2) written by `training/make_testset.py`. */
export const testsetDir = process.env.TINYHUSH_TESTSET_DIR ?? resolve(repoRoot, '../cache/testset-v2');

/** Output folder of `npm run bench`. */
export const resultsDir = resolve(repoRoot, 'bench/results');

/** Models benchmarked as tinyhush systems: the bundled `models/`, or `TINYHUSH_BENCH_MODELS` (e.g. a training export). */
export const modelsDir = process.env.TINYHUSH_BENCH_MODELS ?? resolve(repoRoot, 'models');
