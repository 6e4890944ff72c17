/**
 * Integer layers in WASM memory (docs/integer.md, "Engine integration"): each `dense-int` /
 * `gru-int` layer's weights unpacked to i8 rows or, for sparse tensors where that runs faster, built
 * into a CSR or 4×4-block SparseMatrix record (docs/sparsity.md, "Engine"), its i32 tensors and its
 * IntDenseParams / IntGruParams record (assembly/int-params.ts, field k at byte 4k), placed once per engine.
 */
import type { DenseIntLayer, GruIntLayer, IntLayerSpec, Model } from '../model/types.js';
import { Activation, type Core } from '../wasm/core.js';
import { laneRequant } from './lane-requant.js';
import { chooseLayout, intMatrix, SparseLayout, toBlockLayout, toCsrLayout } from './sparse-int-layout.js';

/** Where one integer layer lies in memory, ready for a program step. */
export interface PlacedIntLayer {
  /**
   * The dense matrix, or the GRU's input block [3h, in] (gates r, z, n): i8 rows, or with `sparse`
   * a SparseMatrix record (assembly/int-sparse.ts).
   */
  w: number;
  /** The GRU's hidden block [3h, h], as `w`; 0 for dense. */
  w2: number;
  /** Whether `w` (and `w2`) are SparseMatrix records: the layer runs the sparse op. */
  sparse: boolean;
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
  /** Any typed array's bytes (at least one byte allocated, so an empty part has an address). */
  const raw = (values: Int8Array | Uint16Array): number => {
    const ptr = core.allocU8(Math.max(1, values.byteLength));
    core.u8(ptr, values.byteLength).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    bytes += values.byteLength;
    return ptr;
  };
  const record = (words: number[]): number => {
    const ptr = core.allocU8(words.length * 4);
    core.writeI32(ptr, words);
    return ptr;
  };
  /**
   * The named integer tensors stacked row after row (a GRU side's three gates), in the layout chosen
   * for them (sparse-int-layout.ts): `rows` is the address of i8 rows when dense, `record` that of a
   * SparseMatrix record in any layout (dense included, for a GRU whose other side is sparse).
   */
  const matrix = (...names: string[]): { layout: SparseLayout; rows: number; record: () => number } => {
    const m = intMatrix(model, names);
    const layout = chooseLayout(m);
    if (layout === SparseLayout.Dense) {
      const rows = raw(m.codes);
      return { layout, rows, record: () => record([SparseLayout.Dense, 0, 0, rows, m.cols]) };
    }
    const parts = layout === SparseLayout.Csr ? toCsrLayout(m) : toBlockLayout(m);
    const rec = record([layout, i32(parts.rowPtr), raw(parts.index), raw(parts.values), m.cols]);
    return { layout, rows: 0, record: () => rec };
  };
  const tensor = (name: string): number => i32(model.int32(name));
  /**
   * A record's lane fields (lanePow, laneRuns: addresses of the per-row powers and of the runs) for
   * the multiplier and shift tensors named, `units` rows per gate (laneRequant): derived data, not
   * counted as held; [0, 0] (row by row) where no group has an exact lane form.
   */
  const lanes = (multiplier: string, shift: string, units?: number): number[] => {
    const form = laneRequant(model.int32(multiplier), model.int32(shift), units);
    return form === null ? [0, 0] : [record([...form.pow]), record([...form.runs])];
  };
  return { matrix, tensor, record, lanes, scratch: (words: number) => core.allocU8(words * 4), bytes: () => bytes };
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
  const weight = p.matrix(layer.weight);
  const sparse = weight.layout !== SparseLayout.Dense;
  const w = sparse ? weight.record() : weight.rows;
  const b = p.tensor(layer.bias);
  const params = p.record([p.tensor(layer.multiplier), p.tensor(layer.shift), Activation[layer.activation], q.outputBits,
    q.preBits ?? 0, q.tableBits ?? 0, layer.table === null ? 0 : p.tensor(layer.table), p.scratch(layer.out),
    ...p.lanes(layer.multiplier, layer.shift)]);
  return { w, w2: 0, sparse, b, b2: 0, params, invScale: inverseScale(core, layer), bytes: p.bytes() };
}

function placeGru(core: Core, model: Model, layer: GruIntLayer): PlacedIntLayer {
  const p = placer(core, model);
  const { weights: W, quant: q, tables: t } = layer;
  const input = p.matrix(W.ir, W.iz, W.in);
  const hidden = p.matrix(W.hr, W.hz, W.hn);
  // Either side sparse: both run through SparseMatrix records (a dense side as a dense record).
  const sparse = input.layout !== SparseLayout.Dense || hidden.layout !== SparseLayout.Dense;
  const w = sparse ? input.record() : input.rows;
  const w2 = sparse ? hidden.record() : hidden.rows;
  const b = p.tensor(layer.biasIh);
  const b2 = p.tensor(layer.biasHh);
  const params = p.record([p.tensor(layer.multiplier), p.tensor(layer.shift), p.tensor(t.r), p.tensor(t.z), p.tensor(t.n),
    q.preBits.r, q.preBits.z, q.preBits.n, q.tableBits.r, q.tableBits.z, q.tableBits.n,
    q.bits.r, q.bits.z, q.bits.n, q.bits.h, p.scratch(6 * layer.hidden), ...p.lanes(layer.multiplier, layer.shift, layer.hidden)]);
  return { w, w2, sparse, b, b2, params, invScale: inverseScale(core, layer), bytes: p.bytes() };
}

/** Places an integer layer's tensors and parameter record in `core`'s memory (init only: it allocates). */
export function placeIntLayer(core: Core, model: Model, layer: IntLayerSpec): PlacedIntLayer {
  return layer.op === 'dense-int' ? placeDense(core, model, layer) : placeGru(core, model, layer);
}
