/**
 * Runs seeded fuzz cases against one target and classifies each: accepted, a typed rejection (a
 * `TinyhushError`, by code), an untyped error, or slow (over the per-case limit). Untyped and slow
 * cases are failures, reported with the case seed that reproduces them (`replayCase`).
 */
import { TinyhushError } from '../../src/errors.js';
import { caseSeed, mutate, rngFrom } from './mutate.js';
import type { FuzzTarget } from './target.js';

/** How one case ended. */
export type Outcome = 'accepted' | 'rejected' | 'untyped' | 'slow';

/** A case that is a bug, with what reproduces it. */
export interface FuzzFailure {
  target: string;
  outcome: 'untyped' | 'slow';
  /** Reproduce with `replayCase(target, caseSeed)` or `npm run fuzz -- --replay target:caseSeed`. */
  caseSeed: number;
  steps: string[];
  ms: number;
  error?: string;
}

/** What a run found. */
export interface FuzzSummary {
  target: string;
  seed: number;
  cases: number;
  accepted: number;
  rejected: number;
  /** Typed rejections by error code. */
  rejectedBy: Record<string, number>;
  untyped: number;
  slow: number;
  slowestMs: number;
  seconds: number;
  failures: FuzzFailure[];
}

/** Options of a run. */
export interface FuzzRunOptions {
  cases: number;
  seed: number;
  /** A case taking more CPU time than this is a failure ('slow'); default 2000 ms. */
  caseMs?: number;
  /** Runs case indices from here (to resume after a hang); default 0. */
  from?: number;
  /** Called before each case: lets a watchdog know which case is running. */
  onCase?: (index: number, caseSeed: number) => void;
  /** Called after each case with what it adds to the summary. */
  onResult?: (result: CaseResult) => void;
}

/** How one case of a run ended, as the summary counts it. */
export interface CaseResult {
  outcome: Outcome;
  ms: number;
  /** The error code of a typed rejection. */
  code?: string;
  failure?: FuzzFailure;
}

/** An empty summary of a run of `target` from `seed`. */
export function emptySummary(target: string, seed: number): FuzzSummary {
  return { target, seed, cases: 0, accepted: 0, rejected: 0, rejectedBy: {}, untyped: 0, slow: 0, slowestMs: 0, seconds: 0, failures: [] };
}

/** Counts one case into `summary`. */
export function addResult(summary: FuzzSummary, { outcome, ms, code, failure }: CaseResult): void {
  summary.cases++;
  summary[outcome]++;
  summary.slowestMs = Math.max(summary.slowestMs, ms);
  if (code !== undefined) summary.rejectedBy[code] = (summary.rejectedBy[code] ?? 0) + 1;
  if (failure) summary.failures.push(failure);
}

/** The input of one case: a seed input picked, mutated and (usually) re-sealed, all from `seed`. */
export function caseInput(target: FuzzTarget, seeds: readonly Uint8Array[], seed: number): { bytes: Uint8Array; steps: string[] } {
  const rng = rngFrom(seed);
  const origin = Math.floor(rng() * seeds.length);
  const fieldsOf = (bytes: Uint8Array) => {
    try {
      return target.fields?.(bytes) ?? [];
    } catch {
      return [];
    }
  };
  const { bytes, steps } = mutate(seeds[origin], rng, fieldsOf);
  // Mostly re-sealed, so checks behind the checksum are reached; sometimes not, to test the checksum.
  const reseal = target.reseal !== undefined && rng() < 0.8;
  return { bytes: reseal ? target.reseal!(bytes) : bytes, steps: [`seed input ${origin}`, ...steps, ...(reseal ? ['reseal'] : [])] };
}

/**
 * Runs one input and classifies how it ended. Its time is CPU time (the process's, user and
 * system): on a shared, loaded machine wall time swings by seconds with the neighbours.
 */
export async function runCase(target: FuzzTarget, bytes: Uint8Array, caseMs: number):
  Promise<{ outcome: Outcome; ms: number; error?: unknown }> {
  const started = process.cpuUsage();
  let outcome: Outcome = 'accepted';
  let error: unknown;
  try {
    await target.run(bytes);
  } catch (caught) {
    error = caught;
    outcome = caught instanceof TinyhushError ? 'rejected' : 'untyped';
  }
  const { user, system } = process.cpuUsage(started);
  const ms = (user + system) / 1000;
  return { outcome: outcome !== 'untyped' && ms > caseMs ? 'slow' : outcome, ms, error };
}

/** Runs `options.cases` cases of `target`. */
export async function runTarget(target: FuzzTarget, options: FuzzRunOptions): Promise<FuzzSummary> {
  const { cases, seed, caseMs = 2000, from = 0 } = options;
  const seeds = target.seeds();
  const summary = emptySummary(target.name, seed);
  const started = performance.now();
  for (let index = from; index < cases; index++) {
    const seedOfCase = caseSeed(seed, index);
    options.onCase?.(index, seedOfCase);
    const { bytes, steps } = caseInput(target, seeds, seedOfCase);
    const { outcome, ms, error } = await runCase(target, bytes, caseMs);
    const result: CaseResult = {
      outcome, ms,
      ...(outcome === 'rejected' && { code: (error as TinyhushError).code }),
      ...((outcome === 'untyped' || outcome === 'slow') && {
        failure: { target: target.name, outcome, caseSeed: seedOfCase, steps, ms, ...(error !== undefined && { error: describe(error) }) },
      }),
    };
    addResult(summary, result);
    options.onResult?.(result);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** Re-runs one case by its seed; returns how it ended, the error with its stack, and the input. */
export async function replayCase(target: FuzzTarget, seedOfCase: number, caseMs = 2000) {
  const { bytes, steps } = caseInput(target, target.seeds(), seedOfCase);
  return { ...(await runCase(target, bytes, caseMs)), steps, bytes };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One line per failure, with what reproduces it. */
export function formatFailure(failure: FuzzFailure): string {
  return `${failure.target} case seed ${failure.caseSeed} (${failure.steps.join(', ')}): ${failure.outcome} after `
    + `${failure.ms.toFixed(0)} ms${failure.error ? `: ${failure.error}` : ''}; reproduce: npm run fuzz -- --replay ${failure.target}:${failure.caseSeed}`;
}
