/** Policies through the public API and the CLI: specs and their errors, switching mid-stream, decision counts, flags. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';
import { createDenoiser, InvalidOptionError } from '../src/index.js';
import { writeWavFile } from '../src/node/wav.js';
import { loadGolden } from './engine-fixtures.js';
import { testAudio } from './stream-models.js';

const golden = loadGolden('gru');
const model = golden.bytes;
const [cheap, mid, full] = golden.macsPerFrame;
const quarterSecond = testAudio(4000, 16000);

test.each([
  ['no kind', {}, /policy must be an object \{ kind: 'fixed', 'budget' or 'adaptive', … \}, got kind none/],
  ['an unknown kind', { kind: 'greedy' }, /got kind "greedy"/],
  ['not an object', 'adaptive', /policy must be an object/],
  ['an inherited property name as kind', { kind: 'toString' }, /got kind "toString"/],
  ['a fixed exit out of range', { kind: 'fixed', exit: 3 }, /policy exit must be an integer from 0 to 2 \(this model has 3 exits\), got 3/],
  ['a budget without a target', { kind: 'budget' }, /policy macsPerSecond must be a number from 0 to .*, got undefined/],
  ['a negative budget', { kind: 'budget', macsPerSecond: -5 }, /got -5/],
  ['a budget given as text', { kind: 'budget', macsPerSecond: '1e6' }, /got "1e6"/],
  ['a fractional dwell', { kind: 'budget', macsPerSecond: 1e6, minDwellFrames: 2.5 }, /minDwellFrames must be an integer from 1/],
  ['an unknown field', { kind: 'budget', macsPerSecond: 1e6, exit: 1 }, /unknown budget policy field\(s\) exit; supported: kind, macsPerSecond, minDwellFrames/],
  ['a hard exit cheaper than the easy one', { kind: 'adaptive', easyExit: 2, hardExit: 1 }, /hardExit \(1\) must not be cheaper than easyExit \(2\)/],
  ['a noise-fraction window upside down', { kind: 'adaptive', minNoiseFraction: 0.5, maxNoiseFraction: 0.2 }, /maxNoiseFraction must be a number from 0.5 to 1, got 0.2/],
  ['a positive silence level', { kind: 'adaptive', silenceDb: 3 }, /silenceDb must be a number from -200 to 0, got 3/],
])('%s is an InvalidOptionError, from createDenoiser and from setPolicy', (_, policy, message) => {
  expect(() => createDenoiser({ model, sampleRate: 16000, policy: policy as never })).toThrow(message);
  const denoiser = createDenoiser({ model, sampleRate: 16000 });
  expect(() => denoiser.setPolicy(policy as never)).toThrow(InvalidOptionError);
  expect(denoiser.policy).toEqual({ kind: 'fixed', exit: 2 }); // a rejected spec changes nothing
});

test('exit and policy together, and an unknown skippedState, are rejected', () => {
  expect(() => createDenoiser({ model, sampleRate: 16000, exit: 1, policy: { kind: 'adaptive' } })).toThrow(/either exit or policy, not both/);
  expect(() => createDenoiser({ model, sampleRate: 16000, skippedState: 'forget' as never })).toThrow(/skippedState must be 'hold' or 'reset', got "forget"/);
});

test('a fixed policy spec is the exit option', () => {
  const byExit = createDenoiser({ model, sampleRate: 16000, exit: 1 });
  const byPolicy = createDenoiser({ model, sampleRate: 16000, policy: { kind: 'fixed', exit: 1 } });
  expect(byPolicy.process(quarterSecond)).toEqual(byExit.process(quarterSecond));
  expect(byPolicy.exit).toBe(1);
  expect(byPolicy.telemetry().policy).toBe('fixed');
});

test('policies switch mid-stream, each from the next frame on, and telemetry counts every exit change', () => {
  const denoiser = createDenoiser({ model, sampleRate: 16000, channels: 2, exit: 0 });
  const stereo = [quarterSecond, quarterSecond];
  denoiser.process(stereo); // 25 frames per channel on exit 0
  denoiser.setPolicy({ kind: 'fixed', exit: 1 });
  denoiser.process(stereo);
  denoiser.setExit(2);
  denoiser.process(stereo);
  let t = denoiser.telemetry();
  expect(t.exitHistogram).toEqual([50, 50, 50]);
  expect(t.macs).toBe(50 * (cheap + mid + full));
  expect(t.exitChanges).toBe(4); // 0 → 1 → 2 in each of 2 channels
  expect(t.decisionsPerSecond).toBeCloseTo(4 / 0.75, 10);

  denoiser.setPolicy({ kind: 'budget', macsPerSecond: 2 * 100 * (cheap + mid) / 2 });
  expect(denoiser.telemetry().policy).toBe('budget');
  denoiser.resetTelemetry();
  denoiser.process([testAudio(32000, 16000), testAudio(32000, 16000, 2)]);
  t = denoiser.telemetry();
  expect(t.exitHistogram[2]).toBe(0);
  expect(t.exitHistogram[0] * t.exitHistogram[1]).toBeGreaterThan(0);

  denoiser.setPolicy({ kind: 'adaptive' });
  expect(denoiser.policy).toMatchObject({ kind: 'adaptive', easyExit: 0, hardExit: 2 });
  expect(denoiser.exit).toBe(-1);
  const silence = [new Float32Array(16000), new Float32Array(16000)];
  denoiser.process(silence); // the first frames still hold the tone's tail: hard, then held for a while
  denoiser.resetTelemetry();
  denoiser.process(silence);
  expect(denoiser.telemetry().exitHistogram).toEqual([200, 0, 0]); // silence: the cheap exit
});

test.each([
  [{ kind: 'adaptive', minNoiseFraction: 0, maxNoiseFraction: 1 }], // hard whenever not silent
  [{ kind: 'budget', macsPerSecond: 100 * (cheap + full) / 2 }],
] as const)('%j gives the same output whatever the chunk size', (policy) => {
  const input = testAudio(48000, 16000).map((v, i) => (i > 12000 && i < 36000 ? 0 : v)); // a silent gap: exits change
  const outputs = [1, 160, 777, 48000].map((size) => {
    const denoiser = createDenoiser({ model, sampleRate: 16000, policy });
    const out = new Float32Array(input.length);
    for (let at = 0; at < input.length; at += size) out.set(denoiser.process(input.subarray(at, at + size)), at);
    expect(denoiser.telemetry().exitChanges).toBeGreaterThan(0);
    return out;
  });
  for (const out of outputs.slice(1)) expect(out).toEqual(outputs[0]);
});

test('a stream reset (flush) starts the exit-change count afresh: the first frame after it is no change', () => {
  const denoiser = createDenoiser({ model, sampleRate: 16000, exit: 2 });
  denoiser.process(quarterSecond);
  denoiser.flush();
  denoiser.setExit(0);
  denoiser.process(quarterSecond);
  expect(denoiser.telemetry().exitChanges).toBe(0);
});

describe('CLI flags', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tinyhush-policy-'));
    input = join(dir, 'in.wav');
    await writeWavFile(input, { sampleRate: 16000, format: 's16le', channels: [testAudio(32000, 16000)] });
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  const cli = (args: string[]) => runCli(args);

  test.each([
    [['--exit', '1', '--budget', '5'], /--exit and --budget exclude each other/],
    [['--exit', 'auto', '--budget', '5'], /--exit and --budget exclude each other/],
    [['--budget', 'lots'], /--budget takes a positive number of million MACs per second, got 'lots'/],
    [['--budget', '0'], /got '0'/],
    [['--budget', ''], /got ''/],
    [['--exit', '7'], /exit must be an integer from 0 to 2/],
  ])('%j is a usage error (exit 2)', async (flags, message) => {
    const { code, stderr } = await cli(['denoise', input, join(dir, 'out.wav'), '--model', 'tests/fixtures/golden/gru.thm', ...flags]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  test.each([
    [['--exit', 'auto'], 'adaptive'],
    [['--budget', String((100 * (mid + full)) / 2 / 1e6)], 'budget'],
    [['--exit', '1'], 'fixed'],
  ])('%j runs its policy and the --report JSON carries it with frames, macs, macsDense, exitHistogram and seconds', async (flags, kind) => {
    const report = join(dir, `${kind}.json`);
    const { code } = await cli(['denoise', input, join(dir, 'out.wav'), '--model', 'tests/fixtures/golden/gru.thm', '--report', report, ...flags]);
    expect(code).toBe(0);
    const json = JSON.parse(await readFile(report, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ policy: kind, policySettings: { kind }, seconds: 2, frames: 201 });
    for (const key of ['macs', 'macsDense', 'decisionsPerSecond', 'exitChanges']) expect(typeof json[key]).toBe('number');
    expect((json.exitHistogram as number[]).reduce((a, b) => a + b)).toBe(201);
  });

  test('a budget beyond the model is clamped, and the CLI says so', async () => {
    const { code, stderr } = await cli(['denoise', input, join(dir, 'out.wav'), '--model', 'tests/fixtures/golden/gru.thm', '--budget', '1000']);
    expect(code).toBe(0);
    expect(stderr).toContain(`note: --budget 1000.00 is outside what this model can spend; clamped to ${(full * 100 / 1e6).toFixed(2)} MMAC/s`);
  });
});
