/**
 * `tinyhush prune`: a run on the quantized golden GRU model with curves read from --sensitivity
 * (measured once, then reused), and its typed errors.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';
import { readModel } from '../src/model/read.js';
import { intGru } from './prune-fixture.js';

let dir: string;
let intModel: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyhush-prune-'));
  intModel = join(dir, 'int8.thm');
  await writeFile(intModel, intGru().bytes);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const cli = (args: string[]) => runCli(args);

test('unit pruning measures the curves once on the default audio, saves them, and reuses them; the exits stay cheapest first', async () => {
  const curves = join(dir, 'curves.json');
  const out = join(dir, 'unit.thm');
  const args = ['prune', intModel, '--kind', 'unit', '--sparsity', '0.3', '--seconds', '0.5', '--sensitivity', curves, '--out', out];
  const first = await cli(args);
  expect(first.stderr).toMatch(/sensitivity 1\/30: fc_in at 50\.0 %: [−+]\d+\.\d\d dB\n/);
  expect(first.code).toBe(0);
  const saved = JSON.parse(await readFile(curves, 'utf8'));
  expect(Object.keys(saved.layers)).toEqual(['fc_in', 'gru1', 'exit0.anc', 'gru2', 'exit1.anc', 'fc1']);
  expect(saved).toMatchObject({ model: 'golden-gru-w8a16', kind: 'unit' });
  const again = await cli([...args, '--name', 'smaller']);
  expect(again.code).toBe(0);
  expect(again.stderr).not.toMatch(/sensitivity \d/);
  expect(again.stderr).toMatch(/unit pruning, \d+\.\d % of the prunable weights removed, \d+ bytes \(unpruned \d+\); quality/);
  const pruned = readModel(new Uint8Array(await readFile(out)));
  expect(pruned.header.name).toBe('smaller');
  // gru2 at 90 % of its units alone would make exit1 cheaper than exit0: its curve stops before.
  expect(saved.layers.gru2.sparsities).toEqual([0.5, 0.75]);
  expect(pruned.header.provenance.pruning).toMatchObject({ from: 'golden-gru-w8a16', kind: 'unit' });
  expect(pruned.bytes.length).toBeLessThan((await readFile(intModel)).length);
}, 600_000);

test.each([
  [['tests/fixtures/golden/gru.thm', '--kind', 'weight', '--sparsity', '0.5'], /layer "fc_in" is dense; pruning works on integer models: quantize it first/],
  [['INT', '--kind', 'weight', '--sparsity', '1'], /sparsity must lie strictly between 0 and 1, got 1/],
  [['INT', '--kind', 'weight', '--sparsity', '0'], /strictly between 0 and 1/],
  [['INT', '--kind', 'weight', '--sparsity', 'half'], /--sparsity takes a number between 0 and 1, got 'half'/],
  [['INT', '--kind', 'channel', '--sparsity', '0.5'], /--kind takes weight, block, unit, got 'channel'/],
  [['INT', '--sparsity', '0.5'], /prune needs --kind weight\|block\|unit/],
])('prune %j is a usage error', async (args, message) => {
  const { code, stderr } = await cli(['prune', ...args.map((a) => (a === 'INT' ? intModel : a)), '--out', join(dir, 'x.thm')]);
  expect(stderr).toMatch(message);
  expect(code).toBe(2);
});
