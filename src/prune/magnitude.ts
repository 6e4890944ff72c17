/**
 * Magnitude pruning: which weights, 4×4 blocks or units of a layer go first. A layer's items are
 * ranked over all of its matrices together by their magnitude in the float domain (code · row
 * scale), so a GRU's six matrices compete on equal terms.
 */
import type { IntLayerSpec } from '../model/types.js';
import { layerMatrices, type EditableModel, type WeightMatrix } from './editable.js';

/** What is removed: single weights (stored as csr), 4×4 blocks (block-sparse) or whole units (smaller layers). */
export type PruneKind = 'weight' | 'block' | 'unit';

/** The kinds, for messages. */
export const PRUNE_KINDS: readonly PruneKind[] = ['weight', 'block', 'unit'];

/** Block rows and columns: the engine's 4×4 block kernel (docs/sparsity.md), on the grid from row and column 0. */
export const BLOCK = 4;

/** Block rows and columns of a matrix's 4×4 grid: a last, partial block row or column counts as a block. */
export function blockGridOf(m: Pick<WeightMatrix, 'rows' | 'cols'>): { blockRows: number; blockCols: number } {
  return { blockRows: Math.ceil(m.rows / BLOCK), blockCols: Math.ceil(m.cols / BLOCK) };
}

/** Calls `visit` with the index of each element of grid block (R, C) of `m` (clipped at the edges). */
function forBlock(m: WeightMatrix, R: number, C: number, visit: (index: number, row: number) => void): void {
  for (let r = R * BLOCK; r < Math.min(m.rows, (R + 1) * BLOCK); r++) {
    for (let c = C * BLOCK; c < Math.min(m.cols, (C + 1) * BLOCK); c++) visit(r * m.cols + c, r);
  }
}

/** |code · scale| of every element, matrix after matrix, each row-major. */
export function weightScores(matrices: readonly WeightMatrix[]): Float64Array {
  const scores = new Float64Array(matrices.reduce((n, m) => n + m.rows * m.cols, 0));
  let at = 0;
  for (const m of matrices) {
    for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) scores[at++] = Math.abs(m.codes[r * m.cols + c] * m.scale[r]);
  }
  return scores;
}

/** L1 norm (of code · scale) of every 4×4 grid block, matrix after matrix, blocks row-major. */
export function blockScores(matrices: readonly WeightMatrix[]): Float64Array {
  const counts = matrices.map(blockGridOf);
  const scores = new Float64Array(counts.reduce((n, g) => n + g.blockRows * g.blockCols, 0));
  let at = 0;
  matrices.forEach((m, k) => {
    for (let R = 0; R < counts[k].blockRows; R++) {
      for (let C = 0; C < counts[k].blockCols; C++) {
        let sum = 0;
        forBlock(m, R, C, (i, r) => { sum += Math.abs(m.codes[i] * m.scale[r]); });
        scores[at++] = sum;
      }
    }
  });
  return scores;
}

/** L2 norm (of code · scale) of each output unit's weights: its row in every matrix of the layer. */
export function unitScores(matrices: readonly WeightMatrix[]): Float64Array {
  const scores = new Float64Array(matrices[0].rows);
  for (const m of matrices) {
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < m.cols; c++) scores[r] += (m.codes[r * m.cols + c] * m.scale[r]) ** 2;
    }
  }
  return scores.map(Math.sqrt);
}

/** The item scores of `layer` for `kind`. */
export function itemScores(model: EditableModel, layer: IntLayerSpec, kind: PruneKind): Float64Array {
  const matrices = layerMatrices(model, layer);
  return kind === 'weight' ? weightScores(matrices) : kind === 'block' ? blockScores(matrices) : unitScores(matrices);
}

/** Item indices from the smallest score up; equal scores in index order (so pruning is deterministic). */
export function smallestFirst(scores: Float64Array): Uint32Array {
  return Uint32Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
}

/** Items whose codes are all zero already: pruning them costs nothing. */
export function zeroItems(scores: Float64Array): number {
  return scores.reduce((n, s) => n + (s === 0 ? 1 : 0), 0);
}

/** Sets to zero the codes of the `count` smallest weights (or 4×4 blocks) of `layer`, in place. */
export function zeroSmallest(model: EditableModel, layer: IntLayerSpec, kind: 'weight' | 'block', count: number): void {
  const matrices = layerMatrices(model, layer);
  const order = smallestFirst(kind === 'weight' ? weightScores(matrices) : blockScores(matrices));
  // Item index → (matrix, position): matrices are numbered one after another.
  const grids = matrices.map(blockGridOf);
  const sizes = matrices.map((m, k) => (kind === 'weight' ? m.rows * m.cols : grids[k].blockRows * grids[k].blockCols));
  for (const item of order.subarray(0, count)) {
    let k = 0;
    let index = item;
    while (index >= sizes[k]) index -= sizes[k++];
    const m = matrices[k];
    if (kind === 'weight') m.codes[index] = 0;
    else forBlock(m, Math.floor(index / grids[k].blockCols), index % grids[k].blockCols, (i) => { m.codes[i] = 0; });
  }
}
