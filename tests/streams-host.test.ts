/**
 * A host serves many streams from one WASM instance and one copy of the weights: each stream's
 * output and telemetry must be exactly those of a stand-alone denoiser on the same input, however
 * the streams are interleaved and chunked; a disposed stream's state slot is reused; memory growth
 * while streams run must not disturb them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDenoiser, type Denoiser } from '../src/denoiser.js';
import type { DenoiserStreamOptions } from '../src/denoiser-options.js';
import { InvalidOptionError, TinyhushError } from '../src/errors.js';
import { createDenoiserHost } from '../src/host/host.js';
import { testAudio } from './stream-models.js';

const MODEL = new Uint8Array(readFileSync(join(process.cwd(), 'models', 'nsnet-ee-f32.thm')));
const BUILD = 'simd'; // the builds agree to rounding only; compare within one

interface Case {
  options: DenoiserStreamOptions;
  input: Float32Array[];
}

function caseOf(options: DenoiserStreamOptions, seconds: number, seed: number): Case {
  const n = Math.round(seconds * options.sampleRate);
  const input = Array.from({ length: options.channels ?? 1 }, (_, c) => testAudio(n, options.sampleRate, seed + c));
  return { options, input };
}

const CASES: Case[] = [
  caseOf({ sampleRate: 16000 }, 1.5, 1),
  caseOf({ sampleRate: 48000, channels: 2, policy: { kind: 'adaptive' } }, 1.2, 3),
  caseOf({ sampleRate: 44100, exit: 0 }, 1.3, 5),
  caseOf({ sampleRate: 22050, channels: 2, policy: { kind: 'budget', macsPerSecond: 2e6 } }, 1.1, 7),
];

/** Output of `denoiser` fed `input` in chunks of `size` frames, flush included. */
function runWhole(denoiser: Denoiser, input: Float32Array[], size: number): Float32Array[] {
  const n = input[0].length;
  const out = input.map(() => new Float32Array(n + denoiser.latencySamples));
  for (let at = 0; at < n; at += size) {
    denoiser.process(input.map((c) => c.subarray(at, Math.min(n, at + size)))).forEach((part, c) => out[c].set(part, at));
  }
  denoiser.flush().forEach((part, c) => out[c].set(part, n));
  return out;
}

function standAlone({ options, input }: Case): { output: Float32Array[]; telemetry: ReturnType<Denoiser['telemetry']> } {
  const denoiser = createDenoiser({ model: MODEL, wasmBuild: BUILD, ...options });
  const output = runWhole(denoiser, input, 4096);
  return { output, telemetry: denoiser.telemetry() };
}

/** Runs every case on `streams` at once, round robin, each in its own odd chunk size. */
function runInterleaved(streams: Denoiser[], cases: Case[]): Float32Array[][] {
  const sizes = [97, 480, 1031, 160];
  const outs = cases.map(({ input }, i) => input.map(() => new Float32Array(input[0].length + streams[i].latencySamples)));
  const at = cases.map(() => 0);
  while (cases.some(({ input }, i) => at[i] < input[0].length)) {
    cases.forEach(({ input }, i) => {
      const n = input[0].length;
      if (at[i] >= n) return;
      const end = Math.min(n, at[i] + sizes[i % sizes.length]);
      streams[i].process(input.map((c) => c.subarray(at[i], end))).forEach((part, c) => outs[i][c].set(part, at[i]));
      at[i] = end;
    });
  }
  streams.forEach((s, i) => s.flush().forEach((part, c) => outs[i][c].set(part, cases[i].input[0].length)));
  return outs;
}

const expected = CASES.map(standAlone);

describe('streams of one host', () => {
  test('interleaved streams give exactly the stand-alone outputs and telemetry', () => {
    const host = createDenoiserHost({ model: MODEL, wasmBuild: BUILD });
    const streams = CASES.map(({ options }) => host.createStream(options));
    expect(host.streams).toBe(CASES.length);
    const outs = runInterleaved(streams, CASES);
    outs.forEach((out, i) => {
      out.forEach((channel, c) => expect(channel).toEqual(expected[i].output[c]));
      const t = streams[i].telemetry();
      const e = expected[i].telemetry;
      expect(t.macs).toBeGreaterThan(0);
      expect([t.frames, t.macs, t.weightBytes, t.exitHistogram]).toEqual([e.frames, e.macs, e.weightBytes, e.exitHistogram]);
    });
  });

  test('disposed streams\' slots are reused: no new memory, and a reused slot starts clean', () => {
    const host = createDenoiserHost({ model: MODEL, wasmBuild: BUILD });
    const { options, input } = CASES[1];
    const dirty = input.map((c) => c.subarray(0, 4800));
    const first = Array.from({ length: 12 }, () => host.createStream(options));
    for (const stream of first) stream.process(dirty); // leave state, FIFOs and telemetry behind
    for (const stream of first) stream.dispose();
    first[0].dispose(); // idempotent: a slot goes back once
    expect(host.streams).toBe(0);
    const bytes = host.memoryBytes;
    const second = Array.from({ length: 12 }, () => host.createStream(options));
    expect(host.memoryBytes).toBe(bytes); // 12 new slots would need more than one 64 KB page
    const reused = runWhole(second[5], input, 4096);
    reused.forEach((channel, c) => expect(channel).toEqual(expected[1].output[c]));
    expect(second[5].telemetry().frames).toBe(expected[1].telemetry.frames);
    expect(() => first[0].process(dirty)).toThrow(TinyhushError);
  });

  test('memory grown by new streams mid-run does not disturb running ones', () => {
    const host = createDenoiserHost({ model: MODEL, wasmBuild: BUILD });
    const { options, input } = CASES[3];
    const stream = host.createStream(options);
    const n = input[0].length;
    const half = Math.floor(n / 2);
    const out = input.map(() => new Float32Array(n + stream.latencySamples));
    stream.process(input.map((c) => c.subarray(0, half))).forEach((part, c) => out[c].set(part, 0));
    const before = host.memoryBytes;
    const others = Array.from({ length: 40 }, () => host.createStream({ sampleRate: 44100, channels: 2 }));
    expect(host.memoryBytes).toBeGreaterThan(before); // the memory grew: every view was detached
    others[0].process([new Float32Array(441), new Float32Array(441)]);
    stream.process(input.map((c) => c.subarray(half))).forEach((part, c) => out[c].set(part, half));
    stream.flush().forEach((part, c) => out[c].set(part, n));
    out.forEach((channel, c) => expect(channel).toEqual(expected[3].output[c]));
  });

  test('each additional stream costs at most 256 KB of WASM memory', () => {
    const host = createDenoiserHost({ model: MODEL, wasmBuild: BUILD });
    for (const shape of [{ sampleRate: 16000 }, { sampleRate: 48000, channels: 2 }, { sampleRate: 44100, channels: 2 }]) {
      host.createStream(shape);
      const bytes = host.memoryBytes;
      for (let i = 0; i < 32; i++) host.createStream(shape);
      expect((host.memoryBytes - bytes) / 32).toBeLessThanOrEqual(256 * 1024);
    }
  });

  test('options are checked, and a disposed host refuses new streams', () => {
    const host = createDenoiserHost({ model: MODEL });
    expect(() => host.createStream({ sampleRate: 16000, model: MODEL } as DenoiserStreamOptions)).toThrow(InvalidOptionError);
    expect(() => createDenoiserHost({ model: MODEL, sampleRate: 16000 } as never)).toThrow(/unknown option\(s\) sampleRate/);
    expect(() => host.createStream({ sampleRate: 16000, exit: 7 })).toThrow(InvalidOptionError);
    const stream = host.createStream({ sampleRate: 16000 });
    host.dispose();
    expect(host.streams).toBe(0);
    expect(() => stream.process(new Float32Array(160))).toThrow(/disposed/);
    expect(() => host.createStream({ sampleRate: 16000 })).toThrow(/disposed/);
  });
});
