/**
 * Makes the parts that the encodings store from dense values: symmetric integer codes with
 * scales, and the indices and values of the non-zero elements or blocks. Same rules as
 * `quantize` and `to_sparse` in training/thm.py (ties round to even, as numpy does).
 */
import { blockGrid, rowsCols } from './encodings.js';

/** Integer codes of every element and their scales (`[rows]` per row, or `[1]`). */
export interface Quantized {
  codes: Int32Array;
  scale: Float32Array;
}

/** Non-zero elements (csr) or non-zero blocks (block-sparse) of a matrix. */
export interface SparseParts {
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  /** Stored elements row after row, each block row-major. */
  values: Float32Array;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric `bits`-bit quantization (zero point 0) of `values` of `shape`:
 * `scale = max|x| / (2^(b−1) − 1)` per row (or over the whole tensor), 1 for an all-zero row.
 */
export function quantizeSymmetric(values: ArrayLike<number>, shape: readonly number[], bits: number, perRow = true): Quantized {
  const { rows, cols } = perRow ? rowsCols(shape) : { rows: 1, cols: values.length };
  const high = 2 ** (bits - 1) - 1;
  const codes = new Int32Array(values.length);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let peak = 0;
    for (let j = 0; j < cols; j++) peak = Math.max(peak, Math.abs(values[r * cols + j]));
    scale[r] = peak > 0 ? Math.fround(peak / high) : 1;
    for (let j = 0; j < cols; j++) {
      const q = roundHalfEven(Math.fround(values[r * cols + j] / scale[r]));
      codes[r * cols + j] = Math.min(high, Math.max(-high - 1, q));
    }
  }
  return { codes, scale };
}

/**
 * The non-zero `[br, bc]` blocks (`[1, 1]`: elements, for csr) of the `[rows, cols]` matrix `values`;
 * blocks of a last, partial block row or column are padded with zeros.
 */
export function toSparse(values: ArrayLike<number>, shape: readonly [number, number], block: readonly [number, number] = [1, 1]): SparseParts {
  const [rows, cols] = shape;
  const [br, bc] = block;
  const { blockRows, blockCols } = blockGrid({ shape, block: [br, bc] });
  const rowPtr = new Uint32Array(blockRows + 1);
  const colIdx: number[] = [];
  const stored: number[] = [];
  const at = (r: number, c: number): number => (r < rows && c < cols ? values[r * cols + c] : 0);
  for (let R = 0; R < blockRows; R++) {
    for (let C = 0; C < blockCols; C++) {
      const tile: number[] = [];
      for (let a = 0; a < br; a++) for (let b = 0; b < bc; b++) tile.push(at(R * br + a, C * bc + b));
      if (tile.some((x) => x !== 0)) {
        colIdx.push(C);
        stored.push(...tile);
      }
    }
    rowPtr[R + 1] = colIdx.length;
  }
  return { rowPtr, colIdx: Uint32Array.from(colIdx), values: Float32Array.from(stored) };
}
