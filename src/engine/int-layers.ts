/**
 * Integer layers in WASM memory (docs/integer.md, "Engine integration"): each `dense-int` /
 * `gru-int` layer's weights unpacked to i8 rows, its i32 tensors and its IntDenseParams /
 * IntGruParams record (assembly/int-params.ts, field k at byte 4k), placed once per engine.
 */
import type { DenseIntLayer, GruIntLayer, IntLayerSpec, Model } from '../model/types.js';
import { Activation, type Core } from '../wasm/core.js';

/** Where one integer layer lies in memory, ready for a program step. */
export interface PlacedIntLayer {
  /** i8 weight rows: the dense matrix, or the GRU's input block [3h, in] (gates r, z, n). */
  w: number;
  /** The GRU's hidden block [3h, h]; 0 for dense. */
  w2: number;
  /** i32 bias (GRU: input side [3h]). */
  b: number;
  /** The GRU's hidden-side bias [3h]; 0 for dense. */
  b2: number;
  /** The parameter record. */
  params: number;
  /** Address of the f32 1/inputScale for a layer reading "features", else 0. */
  invScale: number;
  /** Bytes of weights, biases, multipliers, shifts and tables held. */
  bytes: number;
}

function placer(core: Core, model: Model) {
  let bytes = 0;
  const i32 = (values: Int32Array): number => {
    const ptr = core.allocU8(values.byteLength);
    core.writeI32(ptr, values);
    bytes += values.byteLength;
    return ptr;
  };
  /** Unpacked codes of the named int2…int8 tensors, one after another (a block of rows). */
  const codes = (...names: string[]): number => {
    const parts = names.map((name) => model.intCodes(name));
    const total = parts.reduce((n, p) => n + p.length, 0);
    const ptr = core.allocU8(total);
    let at = ptr;
    for (const part of parts) {
      core.u8(at, part.length).set(new Uint8Array(part.buffer, part.byteOffset, part.length));
      at += part.length;
    }
    bytes += total;
    return ptr;
  };
  const tensor = (name: string): number => i32(model.int32(name));
  const record = (words: number[]): number => {
    const ptr = core.allocU8(words.length * 4);
    core.writeI32(ptr, words);
    return ptr;
  };
  return { codes, tensor, record, scratch: (words: number) => core.allocU8(words * 4), bytes: () => bytes };
}

function inverseScale(core: Core, layer: IntLayerSpec): number {
  if (layer.quant.invInputScale === undefined) return 0;
  const ptr = core.allocU8(4);
  core.writeF32(ptr, [layer.quant.invInputScale]);
  return ptr;
}

function placeDense(core: Core, model: Model, layer: DenseIntLayer): PlacedIntLayer {
  const p = placer(core, model);
  const q = layer.quant;
  const w = p.codes(layer.weight);
  const b = p.tensor(layer.bias);
  const params = p.record([p.tensor(layer.multiplier), p.tensor(layer.shift), Activation[layer.activation], q.outputBits,
    q.preBits ?? 0, q.tableBits ?? 0, layer.table === null ? 0 : p.tensor(layer.table), p.scratch(layer.out)]);
  return { w, w2: 0, b, b2: 0, params, invScale: inverseScale(core, layer), bytes: p.bytes() };
}

function placeGru(core: Core, model: Model, layer: GruIntLayer): PlacedIntLayer {
  const p = placer(core, model);
  const { weights: W, quant: q, tables: t } = layer;
  const w = p.codes(W.ir, W.iz, W.in);
  const w2 = p.codes(W.hr, W.hz, W.hn);
  const b = p.tensor(layer.biasIh);
  const b2 = p.tensor(layer.biasHh);
  const params = p.record([p.tensor(layer.multiplier), p.tensor(layer.shift), p.tensor(t.r), p.tensor(t.z), p.tensor(t.n),
    q.preBits.r, q.preBits.z, q.preBits.n, q.tableBits.r, q.tableBits.z, q.tableBits.n,
    q.bits.r, q.bits.z, q.bits.n, q.bits.h, p.scratch(6 * layer.hidden)]);
  return { w, w2, b, b2, params, invScale: inverseScale(core, layer), bytes: p.bytes() };
}

/** Places an integer layer's tensors and parameter record in `core`'s memory (init only: it allocates). */
export function placeIntLayer(core: Core, model: Model, layer: IntLayerSpec): PlacedIntLayer {
  return layer.op === 'dense-int' ? placeDense(core, model, layer) : placeGru(core, model, layer);
}
