/** Loads the golden vectors written by training/make_golden.py (tests/fixtures/golden). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../src/model/read.js';
import type { Model } from '../src/model/types.js';

/** One run of the reference: per-frame masks and the enhanced waveform (delayed by one hop). */
export interface GoldenRun {
  masks: number[][];
  enhanced: number[];
}

/** A golden case: a model file, its input and what the PyTorch reference computed for it. */
export interface Golden {
  bytes: Uint8Array;
  model: Model;
  input: Float32Array;
  hop: number;
  exits: GoldenRun[];
  macsPerFrame: number[];
  gated?: GoldenRun & { gateMasks: number[][]; macsPerFrame: number };
}

const DIR = join(process.cwd(), 'tests', 'fixtures', 'golden');

export function loadGolden(kind: 'gru' | 'conv'): Golden {
  const bytes = new Uint8Array(readFileSync(join(DIR, `${kind}.thm`)));
  const json = JSON.parse(readFileSync(join(DIR, `${kind}.json`), 'utf8')) as Omit<Golden, 'bytes' | 'model' | 'input'> & { input: number[] };
  return { ...json, bytes, model: readModel(bytes), input: Float32Array.from(json.input) };
}

/** Largest |a[i] − b[i]|; the lengths must agree. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
