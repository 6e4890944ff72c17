/** The gate fixture of tests/fixtures/gates/make.py: a small fsenet-style model and its reference run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../src/model/read.js';
import type { Model } from '../src/model/types.js';

const DIR = join(process.cwd(), 'tests', 'fixtures', 'gates');
export const BINS = 161;

/** What training/gates.py computed at one gate ratio, frame by frame. */
export interface GateRun {
  ratio: number;
  /** Per frame: the mask (BINS gains). */
  masks: Float32Array[];
  /** Per frame, per gate: channels that ran. */
  activeChannels: number[][];
  /** Per frame: MACs executed. */
  macsPerFrame: number[];
}

export interface GateFixture {
  bytes: Uint8Array;
  model: Model;
  /** Per frame: BINS features. */
  features: Float32Array[];
  runs: GateRun[];
}

export function loadGateFixture(): GateFixture {
  const bytes = new Uint8Array(readFileSync(join(DIR, 'gates.thm')));
  const json = JSON.parse(readFileSync(join(DIR, 'gates.json'), 'utf8')) as { frames: number; runs: Omit<GateRun, 'masks'>[] };
  const io = readFileSync(join(DIR, 'io.bin'));
  const all = new Float32Array(io.buffer.slice(io.byteOffset, io.byteOffset + io.byteLength));
  const block = (i: number): Float32Array[] => Array.from({ length: json.frames },
    (_, t) => all.subarray((i * json.frames + t) * BINS, (i * json.frames + t + 1) * BINS));
  return {
    bytes, model: readModel(bytes), features: block(0),
    runs: json.runs.map((run, i) => ({ ...run, masks: block(i + 1) })),
  };
}
