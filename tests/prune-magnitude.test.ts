/**
 * Magnitude ranking (src/prune/magnitude.ts): the scores of a hand-made layer for each kind, and
 * zeroSmallest removing exactly the smallest weights or 4×4 blocks of a real layer.
 */
import { editableModel, layerMatrices, layerNamed, type WeightMatrix } from '../src/prune/editable.js';
import { blockScores, smallestFirst, unitScores, weightScores, zeroSmallest } from '../src/prune/magnitude.js';
import { intGru } from './prune-fixture.js';

/** 2×5: the second row at scale 0.5; a 4×4 grid of one full and one partial (1-column) block. */
const handMade: WeightMatrix = {
  name: 'm', rows: 2, cols: 5, scale: Float32Array.of(1, 0.5),
  codes: Int8Array.of(3, -1, 0, 2, 5, 4, -8, 1, 0, 6),
};

test('weights rank by |code · scale|, ties in index order', () => {
  expect(Array.from(weightScores([handMade]))).toEqual([3, 1, 0, 2, 5, 2, 4, 0.5, 0, 3]);
  expect(Array.from(smallestFirst(weightScores([handMade])))).toEqual([2, 8, 7, 1, 3, 5, 0, 9, 6, 4]);
});

test('blocks rank by the L1 norm of their weights; a partial edge block holds what lies inside the matrix', () => {
  expect(Array.from(blockScores([handMade]))).toEqual([12.5, 8]);
  expect(Array.from(smallestFirst(blockScores([handMade])))).toEqual([1, 0]);
});

test('units rank by the L2 norm of their rows over every matrix of the layer', () => {
  expect(Array.from(unitScores([handMade]))).toEqual([Math.sqrt(39), Math.sqrt(29.25)]);
  const twice = unitScores([handMade, { ...handMade, codes: Int8Array.of(0, 0, 0, 0, 0, 9, 0, 0, 0, 0) }]);
  expect(Array.from(twice)).toEqual([Math.sqrt(39), Math.sqrt(29.25 + 4.5 ** 2)]);
});

const magnitude = (m: WeightMatrix, i: number): number => Math.abs(m.codes[i] * m.scale[Math.floor(i / m.cols)]);

test.each([['fc1', 300], ['gru2', 2000]])('zeroSmallest(weight) zeroes exactly the %s weights of lowest magnitude', (name, count) => {
  const model = editableModel(intGru());
  const before = layerMatrices(model, layerNamed(model, name)).map((m) => ({ ...m, codes: Int8Array.from(m.codes) }));
  zeroSmallest(model, layerNamed(model, name), 'weight', count);
  const after = layerMatrices(model, layerNamed(model, name));
  const removed: number[] = [];
  const kept: number[] = [];
  after.forEach((m, k) => before[k].codes.forEach((code, i) => {
    if (m.codes[i] === 0) removed.push(magnitude(before[k], i));
    else {
      expect(m.codes[i]).toBe(code);
      kept.push(magnitude(before[k], i));
    }
  }));
  expect(removed.length).toBe(count);
  expect(Math.max(...removed)).toBeLessThanOrEqual(Math.min(...kept));
});

test('zeroSmallest(block) zeroes whole 4×4 grid blocks of the lowest L1 norm (fc_in: 161 columns, a partial last block)', () => {
  const model = editableModel(intGru());
  const layer = layerNamed(model, 'fc_in');
  const scores = blockScores(layerMatrices(model, layer));
  zeroSmallest(model, layer, 'block', 100);
  const [m] = layerMatrices(model, layer);
  const blockCols = Math.ceil(m.cols / 4);
  const zeroed: number[] = [];
  scores.forEach((score, b) => {
    const [R, C] = [Math.floor(b / blockCols), b % blockCols];
    const codes: number[] = [];
    for (let r = 4 * R; r < Math.min(m.rows, 4 * R + 4); r++) for (let c = 4 * C; c < Math.min(m.cols, 4 * C + 4); c++) codes.push(m.codes[r * m.cols + c]);
    if (codes.every((q) => q === 0)) zeroed.push(score);
  });
  expect(zeroed.length).toBe(100);
  const kept = Array.from(scores).filter((s) => !zeroed.includes(s));
  expect(Math.max(...zeroed)).toBeLessThanOrEqual(Math.min(...kept));
});
