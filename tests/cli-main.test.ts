import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';
import { DEFAULT_MODEL, listModels, MODEL_ALIASES, resolveModelBytes } from '../src/model/registry.js';
import { readWavFile, writeWavFile } from '../src/node/wav.js';
import { readModel } from '../src/model/read.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-cli-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** A valid model with random weights: the tests check plumbing, not denoising quality. */
const model = 'tests/fixtures/golden/gru.thm';

/** Runs the CLI in-process with captured output. */
const cli = runCli;

async function noisyWav(name: string, frames = 16000) {
  const path = join(dir, name);
  await writeWavFile(path, {
    sampleRate: 16000, format: 's16le',
    channels: [Float32Array.from({ length: frames }, (_, i) => 0.3 * Math.sin(0.05 * i) + 0.05 * Math.sin(1.7 * i * i))],
  });
  return path;
}

describe('command line usage', () => {
  test('--help lists every command and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['denoise', 'models', 'info', 'eval']) expect(stdout).toContain(command);
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  test.each([
    [[], /Usage: tinyhush/],
    [['frobnicate'], /unknown command 'frobnicate'; supported commands: denoise, models, info, eval, quantize/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['denoise', 'a.wav', 'b.wav', '--bogus'], /Unknown option '--bogus'[\s\S]*tinyhush denoise --help/],
    [['denoise', 'a.wav'], /expected 2 argument\(s\) \(in.wav, out.wav\), got 1/],
    [['denoise', 'a.wav', 'b.wav', '--exit', 'two'], /--exit takes an exit index \(0, 1, …\) or 'auto', got 'two'/],
    [['models', 'extra'], /expected 0 argument\(s\)/],
  ])('%j is a usage error (exit 2) saying what is supported', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('denoise', () => {
  test('a corrupt WAV is a runtime error (exit 1) without stack trace or output file', async () => {
    const input = join(dir, 'corrupt.wav');
    await writeFile(input, 'RIFF\x04\x00\x00\x00WAVEjunk');
    const output = join(dir, 'corrupt-out.wav');
    const { code, stderr } = await cli(['denoise', input, output, '--model', model]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^tinyhush: .*corrupt\.wav: /);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect((await readdir(dir)).filter((f) => f.startsWith('corrupt-out') || f.endsWith('.tmp'))).toEqual([]);
  });

  test('a missing input file is a runtime error naming it', async () => {
    const { code, stderr } = await cli(['denoise', join(dir, 'absent.wav'), join(dir, 'x.wav')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot open .*absent\.wav: no such file or directory \(ENOENT\)/);
  });

  test('an unknown model is a usage error listing the bundled models, with no output file', async () => {
    const input = await noisyWav('for-unknown-model.wav', 1600);
    const output = join(dir, 'unknown-model-out.wav');
    const { code, stderr } = await cli(['denoise', input, output, '--model', 'no-such-model']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown model "no-such-model"/);
    for (const { name } of listModels()) expect(stderr).toContain(name);
    await expect(readFile(output)).rejects.toThrow(/ENOENT/);
  });

  test('denoises a file, prints one summary line and writes the report', async () => {
    const input = await noisyWav('speechish.wav');
    const output = join(dir, 'speechish-out.wav');
    const reportPath = join(dir, 'report.json');
    const { code, stdout, stderr } = await cli(['denoise', input, output, '--model', model, '--report', reportPath]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/speechish-out\.wav: 1\.00 s of audio, \d+ frames, RTF [\d.]+, [\d.]+ M MACs\/s.*latency [\d.]+ ms/);
    expect((await readWavFile(output)).channels[0]).toHaveLength(16000);
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as Record<string, unknown>;
    for (const key of ['frames', 'macs', 'macsDense', 'exitHistogram', 'seconds', 'realTimeFactor', 'latencySamples', 'input', 'output']) {
      expect(report).toHaveProperty(key);
    }
    expect(report.seconds).toBe(1);
    expect(report.macs as number).toBeGreaterThan(0);
    expect(report.macs as number).toBeLessThanOrEqual(report.macsDense as number);
  });

  test('shows progress on a TTY', async () => {
    const input = await noisyWav('tty.wav');
    const { code, stderr } = await cli(['denoise', input, join(dir, 'tty-out.wav'), '--model', model], { isTTY: true });
    expect(code).toBe(0);
    expect(stderr).toMatch(/\rdenoising: 100%\n/);
  });
});

describe('models and info', () => {
  test('models lists every bundled model', async () => {
    const { code, stdout } = await cli(['models']);
    expect(code).toBe(0);
    const models = listModels();
    expect(models.length).toBeGreaterThan(0);
    for (const { name } of models) expect(stdout).toMatch(new RegExp(`^[* ] ${name} `, 'm'));
    expect(stdout).toMatch(new RegExp(`^\\* ${MODEL_ALIASES[DEFAULT_MODEL]} `, 'm'));
    expect(stdout).toMatch(new RegExp(`^  ${DEFAULT_MODEL} +  = ${MODEL_ALIASES[DEFAULT_MODEL]}$`, 'm'));
  });

  test('the default name is an alias that resolves to the bundled model it names', () => {
    const target = listModels().find((m) => m.name === MODEL_ALIASES[DEFAULT_MODEL])!;
    expect(readModel(resolveModelBytes(DEFAULT_MODEL)).header.name).toBe(target.name);
  });

  test('info describes a model file and a bundled model by name the same way as by its path', async () => {
    const fromFile = await cli(['info', model]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/architecture gru-mask[\s\S]*exits \(3, cheapest first\)/);
    const [first] = listModels();
    const byName = await cli(['info', first.name]);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain(first.name);
    expect(await cli(['info', first.path])).toEqual(byName);
  });

  test('info of an integer model gives the header bound and what loading it holds, which is far less', async () => {
    const { code, stdout } = await cli(['info', 'nsnet-ee-int8']);
    expect(code).toBe(0);
    const bound = Number(/engine memory: at most (\d+) bytes of weights and scratch/.exec(stdout)![1]);
    const held = Number(/^loaded: (\d+) bytes of weights held, (\d+) bytes of WASM memory in all$/m.exec(stdout)![1]);
    const tensorBytes = Number(/^tensors \(\d+, (\d+) bytes/m.exec(stdout)![1]);
    expect(held).toBeGreaterThanOrEqual(tensorBytes * 0.9); // i8 rows, i32 biases and tables, as stored
    expect(held).toBeLessThan(bound / 3); // the bound counts every weight as f32
  });

  test('info on a file that is not a model is a runtime error', async () => {
    const notModel = await noisyWav('not-a-model.wav', 100);
    const { code, stderr } = await cli(['info', notModel]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^tinyhush: /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
