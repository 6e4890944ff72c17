/**
 * A bounded fuzz run inside `npm test`: a few thousand seeded mutations of WAV files and model
 * files, each of which must be accepted or rejected with a typed error, in bounded time. Longer
 * runs: `npm run fuzz` (tests/fuzz/main.ts). A failure prints the case seed that reproduces it.
 */
import { formatFailure, runTarget } from './fuzz/run-target.js';
import { TARGETS } from './fuzz/targets/index.js';

/** Cases per target and the run's seed: fixed, so a failure here reproduces exactly. */
const CASES = 1000;
const SEED = 20261127;

test.each(TARGETS.map((target) => [target.name, target] as const))('%s: every mutated input is accepted or rejected with a typed error', async (_name, target) => {
  const summary = await runTarget(target, { cases: CASES, seed: SEED, caseMs: 5000 });
  expect(summary.failures.map(formatFailure)).toEqual([]);
  expect(summary.cases).toBe(CASES);
  // Both sides are reached: mutations that still parse (deep code runs) and ones that are refused.
  expect(summary.accepted).toBeGreaterThan(CASES / 50);
  expect(summary.rejected).toBeGreaterThan(CASES / 10);
}, 600_000);
