/**
 * The engine against a plain-JS interpreter of the model format, on hand-made models that cover
 * what the golden vectors do not: an activated `add`, gate masks that change every frame, and
 * layers held while another exit runs.
 */
import { createEngine } from '../src/engine/engine.js';
import type { Decision } from '../src/engine/types.js';
import { readModel } from '../src/model/read.js';
import type { Activation, LayerSpec, Model } from '../src/model/types.js';
import { writeModel } from '../src/model/write.js';
import { createCore } from '../src/wasm/core.js';
import { tinyConvModel, tinyGruModel } from './fixtures/format/models.js';
import { maxAbsDiff } from './engine-fixtures.js';

const ACT: Record<Activation, (v: number) => number> = {
  none: (v) => v, relu: (v) => Math.max(v, 0), sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh,
};

/** docs/model-format.md, literally: one frame at a time; `on` gives each gated layer's channel flags. */
function referenceInterpreter(model: Model) {
  const h = model.header;
  const w = (name: string) => model.tensor(name);
  const state = new Map<string, number[]>();
  const affine = (W: Float32Array, b: Float32Array, x: number[], rows: number, cols: number, keepRow: (r: number) => boolean,
    keepCol: (c: number) => boolean) => Array.from({ length: rows }, (_, r) => {
    if (!keepRow(r)) return null;
    let s = b[r];
    for (let c = 0; c < cols; c++) if (keepCol(c)) s += W[r * cols + c] * x[c];
    return s;
  });
  return (features: Float32Array, exit: number, on: Map<string, boolean[]>): number[] => {
    const out = new Map<string, number[]>([['features', [...features]]]);
    const wanted = new Set(h.exits[exit].layers);
    for (const layer of h.layers.filter((l: LayerSpec) => wanted.has(l.name))) {
      const flags = on.get(layer.name);
      const gate = (i: number) => flags?.[i] ?? true;
      let y: number[];
      if (layer.op === 'dense') {
        const isProject = h.gates.some((g) => g.project === layer.name);
        const raw = affine(w(layer.weight), w(layer.bias), out.get(layer.input)!, layer.out, layer.in,
          isProject ? () => true : gate, isProject ? gate : () => true);
        y = raw.map((v) => (v === null ? 0 : ACT[layer.activation](v)));
      } else if (layer.op === 'gru') {
        const hPrev = state.get(layer.name) ?? new Array<number>(layer.hidden).fill(0);
        const gi = affine(w(layer.weightIh), w(layer.biasIh), out.get(layer.input)!, 3 * layer.hidden, layer.in, () => true, () => true) as number[];
        const gh = affine(w(layer.weightHh), w(layer.biasHh), hPrev, 3 * layer.hidden, layer.hidden, () => true, () => true) as number[];
        const H = layer.hidden;
        y = hPrev.map((hp, i) => {
          const r = ACT.sigmoid(gi[i] + gh[i]);
          const z = ACT.sigmoid(gi[H + i] + gh[H + i]);
          const n = Math.tanh(gi[2 * H + i] + r * gh[2 * H + i]);
          return (1 - z) * n + z * hp;
        });
        state.set(layer.name, y);
      } else if (layer.op === 'dwconv') {
        const x = out.get(layer.input)!;
        const past = state.get(layer.name) ?? new Array<number>((layer.kernel - 1) * layer.dilation * layer.channels).fill(0);
        const frames = [...past, ...x]; // oldest first, [(k−1)d + 1][channels]
        const W = w(layer.weight), b = w(layer.bias);
        y = x.map((_, c) => {
          if (!gate(c)) return 0;
          let s = b[c];
          for (let j = 0; j < layer.kernel; j++) s += W[c * layer.kernel + j] * frames[j * layer.dilation * layer.channels + c];
          return ACT[layer.activation](s);
        });
        state.set(layer.name, frames.slice(layer.channels));
      } else {
        const [a, b] = layer.inputs.map((n) => out.get(n)!);
        y = a.map((v, i) => ACT[layer.activation](v + b[i]));
      }
      out.set(layer.name, y);
    }
    return out.get(h.exits[exit].output)!;
  };
}

function features(frame: number): Float32Array {
  return Float32Array.from({ length: 161 }, (_, k) => -6 + 3 * Math.sin(0.3 * frame + 0.11 * k) + Math.cos(1.7 * frame * k));
}

test('gru-mask model, exits alternating frame by frame: the skipped GRU holds its state', () => {
  const { header, tensors } = tinyGruModel();
  const model = readModel(writeModel(header, tensors));
  const core = createCore();
  const engine = createEngine(core, model);
  const state = engine.createState();
  const reference = referenceInterpreter(model);
  const [feat, mask] = [core.allocF32(161), core.allocF32(161)];
  for (let t = 0; t < 30; t++) {
    const exit = t % 3 === 0 ? 1 : 0;
    core.writeF32(feat, features(t));
    engine.run(state, feat, mask, { exit });
    expect(maxAbsDiff(core.f32(mask, 161), reference(features(t), exit, new Map()))).toBeLessThanOrEqual(1e-5);
  }
});

test('conv-mask model with gate masks that change every frame and an activated add', () => {
  const { header, tensors } = tinyConvModel();
  const model = readModel(writeModel(header, tensors));
  const gate = header.gates[0];
  const core = createCore();
  const engine = createEngine(core, model);
  const state = engine.createState();
  const reference = referenceInterpreter(model);
  const [feat, mask, flagsPtr] = [core.allocF32(161), core.allocF32(161), core.allocU8(gate.channels)];
  const decision: Decision = { exit: 0, gateMasks: [flagsPtr] };
  core.exports.resetCounters();
  let expectedMacs = 0;
  for (let t = 0; t < 30; t++) {
    const flags = Array.from({ length: gate.channels }, (_, c) => (c * 7 + t * 3) % 5 < 2 + (t % 3));
    core.u8(flagsPtr, gate.channels).set(flags.map(Number));
    core.writeF32(feat, features(t));
    engine.run(state, feat, mask, decision);
    const on = new Map([[gate.expand, flags], [gate.depthwise, flags], [gate.project, flags]]);
    expect(maxAbsDiff(core.f32(mask, 161), reference(features(t), 0, on))).toBeLessThanOrEqual(1e-5);
    const active = flags.filter(Boolean).length;
    expectedMacs += 161 * 8 + active * (8 + 3 + 8) + 8 * 161;
  }
  expect(core.exports.macCount()).toBe(expectedMacs);
});

test('states are independent: two channels on one engine equal two engines', () => {
  const { header, tensors } = tinyGruModel();
  const model = readModel(writeModel(header, tensors));
  const core = createCore();
  const engine = createEngine(core, model);
  const [a, b] = [engine.createState(), engine.createState()];
  const [feat, mask] = [core.allocF32(161), core.allocF32(161)];
  const solo = referenceInterpreter(model);
  for (let t = 0; t < 10; t++) {
    core.writeF32(feat, features(t));
    engine.run(a, feat, mask, { exit: 1 });
    const fromA = core.f32(mask, 161).slice();
    core.writeF32(feat, features(100 + t));
    engine.run(b, feat, mask, { exit: 1 });
    expect(maxAbsDiff(fromA, solo(features(t), 1, new Map()))).toBeLessThanOrEqual(1e-5);
  }
  engine.resetState(a);
  const fresh = referenceInterpreter(model);
  core.writeF32(feat, features(0));
  engine.run(a, feat, mask, { exit: 1 });
  expect(maxAbsDiff(core.f32(mask, 161), fresh(features(0), 1, new Map()))).toBeLessThanOrEqual(1e-5);
  expect(() => createEngine(createCore(), model).run(a, feat, mask, { exit: 0 })).toThrow(/another engine/);
  expect(() => engine.run(a, feat, mask, { exit: 2 })).toThrow(/exits 0…1/);
});
