/**
 * pruneModel (src/prune/prune.ts) on the golden GRU model at w8a16: the exact sparsity per kind,
 * sparse tensors that expand to the pruned dense ones and run to the same outputs, smaller files, unit pruning's smaller layers
 * that run and compute exactly what the unpruned model computes when the removed units are unread.
 */
import { readModel } from '../src/model/read.js';
import type { DenseIntLayer, GruIntLayer, Model } from '../src/model/types.js';
import { editableModel, layerMatrices, layerNamed, weightCounts, type EditableModel } from '../src/prune/editable.js';
import { blockScores, type PruneKind } from '../src/prune/magnitude.js';
import { prunableLayers } from '../src/prune/plan.js';
import { pruneModel, type PruneResult } from '../src/prune/prune.js';
import { measureSensitivity, SENSITIVITY_GRID, type Sensitivity } from '../src/prune/sensitivity.js';
import { removeUnits } from '../src/prune/unit.js';
import { denseFile } from '../src/prune/write.js';
import { modelOutputs } from '../src/quant/quality.js';
import { intGru } from './prune-fixture.js';
import { testAudio } from './stream-models.js';

const model = intGru();
const audio = { mode: 'fidelity' as const, description: 'test', items: [{ name: 'a', sampleRate: 16000, noisy: testAudio(8000, 16000) }] };
const everyExit = model.header.exits.map((_, i) => i);
const run = (m: Uint8Array | Model): Float32Array[] => modelOutputs(m, audio, everyExit).map(([out]) => out);

/** Made-up curves (drop = 10 × share × (layer index + 1)): no audio needed. */
function madeUp(kind: PruneKind): Sensitivity {
  const layers = Object.fromEntries(prunableLayers(editableModel(model), kind).map((l, i) => [l.name, {
    sparsities: [...SENSITIVITY_GRID], drops: SENSITIVITY_GRID.map((s) => 10 * s * (i + 1)),
  }]));
  return { model: model.header.name, kind, calibration: 'test', base: 0, layers };
}

const prune = (kind: PruneKind, sparsity: number): Promise<PruneResult> => pruneModel(model, {
  kind, sparsity, calibration: 'test', sensitivity: madeUp(kind), evaluate: () => { throw new Error('curves are given'); },
});

test('weight pruning zeroes exactly the share S of all weights and stores csr tensors that expand and run as the dense ones', async () => {
  const { total } = weightCounts(editableModel(model));
  const result = await prune('weight', 0.8);
  const dense = readModel(result.denseFile);
  expect(weightCounts(editableModel(dense)).zeros).toBe(Math.round(0.8 * total));
  expect(result.sparsity).toBeCloseTo(0.8, 4);
  const sparse = readModel(result.file);
  const csr = sparse.header.tensors.filter((t) => t.dtype === 'csr').map((t) => t.name);
  expect(csr.length).toBeGreaterThan(0);
  for (const name of csr) expect(sparse.tensor(name)).toEqual(dense.tensor(name));
  expect(result.file.length).toBeLessThan(model.bytes.length);
  expect(run(result.file)).toEqual(run(result.denseFile));
});

test('block pruning zeroes exactly the share S of the 4×4 grid blocks and stores them block-sparse', async () => {
  const count = (m: EditableModel): { blocks: number; zero: number } => {
    const scores = m.header.layers.flatMap((l) => Array.from(blockScores(layerMatrices(m, layerNamed(m, l.name)))));
    return { blocks: scores.length, zero: scores.filter((s) => s === 0).length };
  };
  const { blocks } = count(editableModel(model));
  const result = await prune('block', 0.9);
  const dense = readModel(result.denseFile);
  expect(count(editableModel(dense)).zero).toBe(Math.round(0.9 * blocks));
  const sparse = readModel(result.file);
  const stored = sparse.header.tensors.filter((t) => t.dtype === 'block-sparse');
  expect(stored.length).toBeGreaterThan(0);
  for (const t of stored) {
    expect(t.block).toEqual([4, 4]);
    expect(sparse.tensor(t.name)).toEqual(dense.tensor(t.name));
  }
  expect(result.file.length).toBeLessThan(model.bytes.length);
  expect(run(result.file)).toEqual(run(result.denseFile));
});

test('unit pruning removes at least the share S of the weights with smaller layers that run; the masks keep 161 outputs', async () => {
  const { total } = weightCounts(editableModel(model));
  const result = await prune('unit', 0.5);
  const pruned = readModel(result.file);
  const left = weightCounts(editableModel(pruned)).total;
  expect(1 - left / total).toBeGreaterThanOrEqual(0.5);
  expect(1 - left / total).toBe(result.sparsity);
  const shape = (name: string) => pruned.header.layers.find((l) => l.name === name) as DenseIntLayer | GruIntLayer;
  const gru2 = shape('gru2') as GruIntLayer;
  expect(gru2.hidden).toBe(32 - result.plan.gru2);
  expect((shape('fc1') as DenseIntLayer).in).toBe(gru2.hidden);
  for (const mask of pruned.header.exits.map((e) => e.output)) expect((shape(mask) as DenseIntLayer).out).toBe(161);
  expect(Object.values(result.plan).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  expect(result.file.length).toBeLessThan(model.bytes.length);
  for (const out of run(result.file)) expect(out.every(Number.isFinite)).toBe(true);
});

test.each([['gru1', 3], ['fc1', 5], ['fc_in', 0]])('removing unit %s[%i] that no layer reads changes no output bit', (name, unit) => {
  const unread = editableModel(model);
  const layer = layerNamed(unread, name);
  // Zero the unit's column wherever it is read: in its readers and, for a GRU, its own hidden matrices.
  const readers = unread.header.layers.filter((l) => l.input === name).map((l) => layerNamed(unread, l.name));
  const matrices = readers.flatMap((r) => layerMatrices(unread, r).slice(0, r.op === 'gru-int' ? 3 : 1));
  if (layer.op === 'gru-int') matrices.push(...layerMatrices(unread, layer).slice(3));
  for (const m of matrices) for (let r = 0; r < m.rows; r++) m.codes[r * m.cols + unit] = 0;
  const expected = run(denseFile(unread));
  const smaller = readModel(denseFile(removeUnits(unread, name, [unit])));
  const resized = smaller.header.layers.find((l) => l.name === name) as DenseIntLayer | GruIntLayer;
  expect('hidden' in resized ? resized.hidden : resized.out).toBe(('hidden' in layer ? layer.hidden : layer.out) - 1);
  expect(run(smaller)).toEqual(expected);
});

test('sensitivity: one score per prunable layer and grid sparsity, drop = base − score', async () => {
  const editable = editableModel(model);
  const layers = prunableLayers(editable, 'unit');
  const seen: string[] = [];
  const curves = await measureSensitivity(editable, 'unit', layers, async (pruned) => {
    seen.push(pruned.header.layers.map((l) => ('hidden' in l ? l.hidden : l.out)).join(','));
    return seen.length;
  }, 100);
  expect(seen.length).toBe(layers.length * SENSITIVITY_GRID.length);
  expect(Object.keys(curves)).toEqual(['fc_in', 'gru1', 'exit0.anc', 'gru2', 'exit1.anc', 'fc1']);
  expect(curves.fc_in.drops).toEqual([99, 98, 97, 96, 95]);
  // fc_in (24 units) at 50 %: 12 left; the rest unchanged.
  expect(seen[0]).toBe('12,24,16,161,32,16,161,32,161');
});
