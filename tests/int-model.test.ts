/**
 * An integer model runs in the engine exactly as the Python whole-model integer reference
 * (training/quant/run_int_model.py) computes it: every exit's masks and speech presence bit for bit,
 * held GRU states across skipped frames, run + extend and reset, in both WASM builds, plus the
 * telemetry of integer layers. tests/int-model-run.ts runs one build in a child process (the relaxed
 * build needs a V8 flag on Node 20).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDenoiser, type FrameReport } from '../src/index.js';
import { layerMacs } from '../src/model/macs.js';
import { readModel } from '../src/model/read.js';
import { testAudio } from './stream-models.js';

const root = process.cwd();
const bytes = new Uint8Array(readFileSync(join(root, 'tests', 'fixtures', 'golden', 'int-model.thm')));
const model = readModel(bytes);

interface Run {
  results: Record<string, number>;
  telemetry: { macs: number; bytes: number }[];
  weightBytes: number;
}

function run(build: string, flags: string[]): Run {
  const args = [...flags, '--import', './tests/fuzz/register-ts.mjs', join('tests', 'int-model-run.ts'), build];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }));
}

/** i8 weight bytes plus i32 bias bytes one frame of `layers` reads (intGemv's count). */
function bytesRead(layers: string[]): number {
  return layers.reduce((sum, name) => {
    const layer = model.header.layers.find((l) => l.name === name)!;
    const rows = layer.op === 'gru-int' ? 3 * layer.hidden : layer.op === 'dense-int' ? layer.out : NaN;
    return sum + layerMacs(layer) + (layer.op === 'gru-int' ? 2 : 1) * rows * 4;
  }, 0);
}

describe.each([
  ['simd', []],
  ['relaxed-simd', ['--experimental-wasm-relaxed-simd']],
])('%s build', (build, flags) => {
  const { results, telemetry, weightBytes } = run(build, flags as string[]);

  test('masks, speech presence and layerOutput of every exit, held states, run + extend and reset match the reference bit for bit', () => {
    expect(Object.keys(results).sort()).toEqual([
      'alternating', 'alternating, reset', 'exit 0 layerOutput', 'exit 0 masks', 'exit 0 presence',
      'exit 1 layerOutput', 'exit 1 masks', 'exit 1 presence', 'run + extend, reset',
    ]);
    for (const [name, wrong] of Object.entries(results)) expect([name, wrong]).toEqual([name, 0]);
  });

  test('a frame counts the integer MACs of its exit and the i8 weights plus i32 biases it read', () => {
    expect(telemetry.map((t) => t.macs)).toEqual(model.header.exits.map((exit) => exit.layers.reduce(
      (sum, name) => sum + layerMacs(model.header.layers.find((l) => l.name === name)!), 0)));
    expect(telemetry.map((t) => t.bytes)).toEqual(model.header.exits.map((exit) => bytesRead(exit.layers)));
  });

  test('weightBytes is what the engine holds: one byte per weight, four per bias, multiplier, shift and table entry', () => {
    const count = (name: string): number => model.header.tensors.find((t) => t.name === name)!.shape.reduce((a, b) => a * b, 1);
    let expected = 0;
    for (const layer of model.header.layers) {
      if (layer.op === 'dense-int') {
        expected += count(layer.weight) + 4 * (count(layer.bias) + count(layer.multiplier) + count(layer.shift) +
          (layer.table === null ? 0 : count(layer.table)));
      } else if (layer.op === 'gru-int') {
        expected += Object.values(layer.weights).reduce((n, w) => n + count(w), 0) + 4 * [layer.biasIh, layer.biasHh,
          layer.multiplier, layer.shift, ...Object.values(layer.tables)].reduce((n, t) => n + count(t), 0);
      }
    }
    expect(weightBytes).toBe(expected);
  });
});

test.each([0, 1])('a denoiser on the integer model reports the integer MACs and bytes of exit %i in its telemetry', (exit) => {
  const denoiser = createDenoiser({ model: bytes, sampleRate: 16000, exit, wasmBuild: 'simd' });
  const frames: FrameReport[] = [];
  denoiser.onFrame = (f) => frames.push({ ...f });
  const out = denoiser.process(testAudio(3200, 16000));
  expect(frames.length).toBeGreaterThan(10);
  expect(out.every(Number.isFinite)).toBe(true);
  const { layers } = model.header.exits[exit];
  const macs = layers.reduce((sum, name) => sum + layerMacs(model.header.layers.find((l) => l.name === name)!), 0);
  const t = denoiser.telemetry();
  expect(t.macs).toBe(frames.length * macs);
  expect(t.weightBytes).toBe(frames.length * bytesRead(layers));
  expect(frames.every((f) => f.exit === exit && f.speechProbability > 0 && f.speechProbability < 1)).toBe(true);
});
