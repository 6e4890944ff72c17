/**
 * Sparse integer weights in WASM memory (docs/sparsity.md, "Engine"): the matrix of a `dense-int`
 * layer, or one side of a `gru-int` layer (its three gate matrices stacked), built from the model
 * file's tensors into the layout its kernel runs fastest: dense i8 rows, CSR or 4×4 blocks
 * (assembly/int-sparse.ts). The layouts are built from the stored positions that `readModel` has
 * checked (validate-tensor-data.ts: row pointers, counts, sorted in-range indices, zero block
 * padding), so every index written here is below the matrix width by construction.
 */
import { forEachStored, storedReader } from '../model/decode-tensor.js';
import { intBits } from '../model/encodings.js';
import type { Model } from '../model/types.js';

/** How one integer matrix is held: the `format` field of assembly/int-sparse.ts's SparseMatrix record. */
export enum SparseLayout {
  Csr = 0,
  Block4x4 = 1,
  Dense = 2,
}

/**
 * Time of a sparse GEMV relative to dense int8 per unit of density, from docs/sparsity.md
 * ("Measured", SIMD build): CSR broke even with dense at about 93 % sparsity (0.07 of the elements
 * stored); the 4×4 kernel ran 1.37–1.55× dense at 50 % of the blocks, about 1.4 dense-block times
 * per stored block. A layout is chosen by the lower estimate; dense wins ties.
 */
const CSR_COST_PER_DENSITY = 1 / 0.07;
const BLOCK_COST_PER_SHARE = 1.4;

/** An integer matrix `[rows, cols]` as codes (0 where nothing is stored) and the positions stored. */
export interface IntMatrix {
  rows: number;
  cols: number;
  codes: Int8Array;
  /** 1 where the file stores an element (every element of a packed tensor). */
  stored: Uint8Array;
  /** Whether any of its tensors is csr / block-sparse. */
  sparse: boolean;
}

/** The int2…int8, csr or block-sparse tensors `names` (equal widths) stacked row after row. */
export function intMatrix(model: Model, names: string[]): IntMatrix {
  const specs = names.map((name) => model.header.tensors.find((t) => t.name === name)!);
  const cols = specs[0].shape[1];
  const rows = specs.reduce((n, s) => n + s.shape[0], 0);
  const codes = new Int8Array(rows * cols);
  const stored = new Uint8Array(rows * cols);
  let row0 = 0;
  for (const spec of specs) {
    const at = row0 * cols;
    if (intBits(spec.dtype) !== undefined) {
      codes.set(model.intCodes(spec.name), at);
      stored.fill(1, at, at + spec.shape[0] * cols);
    } else {
      // Offsets relative to the tensor's own bytes.
      const local = { ...spec, offset: 0 };
      const bytes = model.tensorBytes(spec.name);
      const code = storedReader(local, bytes);
      forEachStored(local, bytes, (r, c, i) => {
        codes[at + r * cols + c] = code(i);
        stored[at + r * cols + c] = 1;
      });
    }
    row0 += spec.shape[0];
  }
  return { rows, cols, codes, stored, sparse: specs.some((s) => intBits(s.dtype) === undefined) };
}

/** Grid blocks of 4×4 (the last row group or column partial) holding a stored element. */
function storedGridBlocks(m: IntMatrix): boolean[][] {
  const groups = Math.ceil(m.rows / 4);
  const gridCols = Math.ceil(m.cols / 4);
  const kept = Array.from({ length: groups }, () => new Array<boolean>(gridCols).fill(false));
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) if (m.stored[r * m.cols + c]) kept[r >> 2][c >> 2] = true;
  }
  return kept;
}

/**
 * The layout for `m`: dense unless it comes from a sparse tensor and a sparse kernel is estimated
 * faster (see the costs above); 4×4 blocks need at least 4 columns.
 */
export function chooseLayout(m: IntMatrix): SparseLayout {
  if (!m.sparse || m.codes.length === 0) return SparseLayout.Dense;
  const density = m.stored.reduce((n, s) => n + s, 0) / m.codes.length;
  const kept = storedGridBlocks(m).flat();
  const share = kept.filter(Boolean).length / kept.length;
  const csr = density * CSR_COST_PER_DENSITY;
  const blocks = m.cols >= 4 ? share * BLOCK_COST_PER_SHARE : Infinity;
  if (Math.min(csr, blocks) >= 1) return SparseLayout.Dense;
  return blocks <= csr ? SparseLayout.Block4x4 : SparseLayout.Csr;
}

/** The arrays of one layout (the record's rowPtr, index and values). */
export interface LayoutArrays {
  rowPtr: Int32Array;
  /** u16 columns (CSR) or block starts (4×4). */
  index: Uint16Array;
  values: Int8Array;
}

/** CSR over the stored elements (explicit zero codes included: the file stores them). */
export function toCsrLayout(m: IntMatrix): LayoutArrays {
  const rowPtr = new Int32Array(m.rows + 1);
  const index: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      if (!m.stored[r * m.cols + c]) continue;
      index.push(c);
      values.push(m.codes[r * m.cols + c]);
    }
    rowPtr[r + 1] = index.length;
  }
  return { rowPtr, index: Uint16Array.from(index), values: Int8Array.from(values) };
}

/**
 * 4×4 blocks over the grid blocks that hold a stored element. Where `cols` is not a multiple of 4,
 * a group's last grid block is placed at `cols − 4` with the columns of the grid block before it
 * zeroed, so no load passes the input's end (training/quant/sparse_layout.py, `to_blocks`).
 */
export function toBlockLayout(m: IntMatrix): LayoutArrays {
  const kept = storedGridBlocks(m);
  const rowPtr = new Int32Array(kept.length + 1);
  const index: number[] = [];
  const values: number[] = [];
  kept.forEach((group, g) => {
    group.forEach((isKept, C) => {
      if (!isKept) return;
      const start = Math.min(4 * C, m.cols - 4);
      index.push(start);
      for (let a = 0; a < 4; a++) {
        const r = 4 * g + a;
        for (let b = 0; b < 4; b++) {
          const c = start + b;
          values.push(r < m.rows && c >= 4 * C ? m.codes[r * m.cols + c] : 0);
        }
      }
    });
    rowPtr[g + 1] = index.length;
  });
  return { rowPtr, index: Uint16Array.from(index), values: Int8Array.from(values) };
}
