/**
 * 8-bit delta column indices (docs/model-format.md, "8-bit delta indices"): a stored element's index
 * byte is the number of columns skipped since the element before it in its row (the first: since
 * column −1), so at most 255. A longer gap is bridged by explicit zero elements (zero blocks), which
 * the file stores and `nnz` counts. `training/thm.py` (`_bridge_gaps`) does the same.
 */
import type { ArrayParts } from './encode-tensor.js';

/** The widest gap one index byte holds: 255 skipped columns. */
export const MAX_SKIP = 255;

/**
 * `parts` with zero elements (of `blockSize` values each) inserted wherever more than `MAX_SKIP`
 * columns lie between two stored elements of a row, or before the first.
 */
export function bridgeGaps(parts: ArrayParts, blockSize: number): ArrayParts {
  const rowPtr = [0];
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let R = 0; R + 1 < parts.rowPtr.length; R++) {
    let previous = -1;
    for (let i = parts.rowPtr[R]; i < parts.rowPtr[R + 1]; i++) {
      const c = parts.colIdx[i];
      while (c - previous - 1 > MAX_SKIP) {
        previous += MAX_SKIP + 1;
        colIdx.push(previous);
        for (let k = 0; k < blockSize; k++) values.push(0);
      }
      colIdx.push(c);
      for (let k = 0; k < blockSize; k++) values.push(parts.values[i * blockSize + k]);
      previous = c;
    }
    rowPtr.push(colIdx.length);
  }
  return { rowPtr, colIdx, values };
}

/** The index bytes of `parts`, whose gaps have been bridged: `column − previous − 1` each. */
export function gapBytes(parts: ArrayParts, fail: (message: string) => never): Uint8Array {
  const out = new Uint8Array(parts.colIdx.length);
  for (let R = 0; R + 1 < parts.rowPtr.length; R++) {
    let previous = -1;
    for (let i = parts.rowPtr[R]; i < parts.rowPtr[R + 1]; i++) {
      const skip = parts.colIdx[i] - previous - 1;
      if (!(skip >= 0 && skip <= MAX_SKIP)) fail(`column index ${i} (${parts.colIdx[i]}) does not follow ${previous} in its row`);
      out[i] = skip;
      previous = parts.colIdx[i];
    }
  }
  return out;
}
