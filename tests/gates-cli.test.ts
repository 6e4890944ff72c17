/** `tinyhush denoise --gate-ratio R` and `tinyhush info` on a model with gate decisions (the gate fixture). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';
import { writeWavFile } from '../src/node/wav.js';
import { testAudio } from './stream-models.js';

const model = 'tests/fixtures/gates/gates.thm';
let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-gates-cli-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const cli = (args: string[]) => runCli(args);

test('--gate-ratio runs fewer channels at a lower ratio and the report carries the per-gate active ratio', async () => {
  const input = join(dir, 'in.wav');
  await writeWavFile(input, { sampleRate: 16000, format: 'f32le', channels: [testAudio(8000, 16000, 3)] });
  const reportAt = async (ratio: string) => {
    const report = join(dir, `report-${ratio}.json`);
    const { code, stderr } = await cli(['denoise', input, join(dir, `out-${ratio}.wav`), '--model', model, '--gate-ratio', ratio, '--report', report]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/% of gated channels ran/);
    return JSON.parse(await readFile(report, 'utf8')) as { macs: number; gateActiveRatio: number[] };
  };
  const [low, full] = [await reportAt('0.25'), await reportAt('1')];
  expect(low.gateActiveRatio).toHaveLength(2);
  expect(low.macs).toBeLessThan(full.macs);
  expect(low.gateActiveRatio[1]).toBeLessThan(full.gateActiveRatio[1]);
});

test.each(['1.5', '-1', 'abc', ''])('--gate-ratio %j is a usage error', async (value) => {
  const { code, stderr } = await cli(['denoise', 'in.wav', 'out.wav', `--gate-ratio=${value}`]);
  expect(code).toBe(2);
  expect(stderr).toMatch(/--gate-ratio takes a number from 0 to 1/);
});

test('tinyhush info lists the gates with their decision layers', async () => {
  const { code, stdout } = await cli(['info', model]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/gates \(2\):\n {2}block0: 24 channels, .*decision block0\.gate\.logits \(gate network 160 MACs\/frame\)/);
});
