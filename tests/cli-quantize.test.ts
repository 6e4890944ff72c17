/**
 * `tinyhush quantize MODEL --bits N --out FILE`: a real quantization of the golden float model on a
 * few seconds of audio, its output read back and run through `tinyhush denoise`, and its errors.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';
import { OPTIONS } from '../src/cli/commands/quantize.js';
import { readModel } from '../src/model/read.js';
import { readWavFile, writeWavFile } from '../src/node/wav.js';
import { homogeneousConfig, modelSizeBytes } from '../src/quant/bit-config.js';
import { calibrate } from '../src/quant/calibrate.js';

const model = 'tests/fixtures/golden/gru.thm';
let dir: string;
let float: ReturnType<typeof readModel>;
/** The first 2 s of the package's noisy example (16 kHz mono). */
let clip: Float32Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyhush-quantize-'));
  float = readModel(new Uint8Array(await readFile(model)));
  clip = (await readWavFile('examples/noisy-sample.wav')).channels[0].slice(0, 32000);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const cli = (args: string[]) => runCli(args);

async function wav(name: string, channels: Float32Array[], sampleRate = 16000): Promise<string> {
  const path = join(dir, name);
  await writeWavFile(path, { sampleRate, format: 'f32le', channels });
  return path;
}

const tensorBytes = (bytes: Uint8Array): number => readModel(bytes).header.tensors.reduce((sum, t) => sum + t.byteLength, 0);

test('help shows every option, and the top-level help lists them', async () => {
  const { code, stdout } = await cli(['quantize', '--help']);
  expect(code).toBe(0);
  const top = (await cli(['--help'])).stdout;
  for (const option of ['bits', 'act-bits', 'calibration', 'name', 'out']) {
    expect(Object.keys(OPTIONS)).toContain(option);
    expect(stdout).toContain(`--${option}`);
    expect(top).toContain(`--${option}`);
  }
});

test('quantizes a model on calibration audio; the output is integer, sized as modelSizeBytes, and denoises', async () => {
  const input = await wav('calib.wav', [clip]);
  const out = join(dir, 'w4a8.thm');
  const { code, stderr } = await cli(['quantize', model, '--bits', '4', '--act-bits', '8', '--calibration', input, '--out', out]);
  expect(code).toBe(0);
  const bits = homogeneousConfig(float.header, 4, 8);
  const bytes = new Uint8Array(await readFile(out));
  const { header } = readModel(bytes);
  expect(header.name).toBe('golden-gru-w4a8');
  expect(header.layers.every((l) => l.op === 'dense-int' || l.op === 'gru-int')).toBe(true);
  expect(tensorBytes(bytes)).toBe(modelSizeBytes(float, bits));
  expect(header.provenance.quantization).toEqual({ from: float.header.name, bits, scales: calibrate(float, [clip], bits) });
  expect(stderr).toBe(`${out}: golden-gru-w4a8, w4a8, ${modelSizeBytes(float, bits)} bytes of tensors `
    + `(${((100 * modelSizeBytes(float, bits)) / 103308).toFixed(1)}% of the float model's 103308), scales from 2.00 s of calibration audio\n`);

  const denoised = join(dir, 'denoised.wav');
  const run = await cli(['denoise', input, denoised, '--model', out]);
  expect(run.code).toBe(0);
  const result = (await readWavFile(denoised)).channels[0];
  expect(result).toHaveLength(clip.length);
  expect(result.every(Number.isFinite)).toBe(true);
  expect(result.some((v) => v !== 0)).toBe(true);
});

test('a folder calibrates on its .wav files, every channel at the model rate; --name names the model', async () => {
  const folder = join(dir, 'calibration');
  await mkdir(folder);
  await writeWavFile(join(folder, 'a.wav'), { sampleRate: 16000, format: 'f32le', channels: [clip.subarray(0, 16000), clip.subarray(16000)] });
  await writeFile(join(folder, 'notes.txt'), 'not audio');
  const out = join(dir, 'folder.thm');
  const { code } = await cli(['quantize', model, '--bits', '8', '--calibration', folder, '--name', 'mine', '--out', out]);
  expect(code).toBe(0);
  const { header } = readModel(new Uint8Array(await readFile(out)));
  const bits = homogeneousConfig(float.header, 8, 16);
  expect(header.name).toBe('mine');
  expect(header.provenance.quantization).toMatchObject({ scales: calibrate(float, [clip.subarray(0, 16000), clip.subarray(16000)], bits) });
});

test('audio at another rate is resampled to the model rate first', async () => {
  const at48k = Float32Array.from({ length: 48000 }, (_, i) => 0.2 * Math.sin(0.01 * i) + 0.05 * Math.sin(0.9 * i));
  const { code, stderr } = await cli(['quantize', model, '--bits', '6', '--calibration', await wav('48k.wav', [at48k], 48000),
    '--out', join(dir, '48k.thm')]);
  expect(code).toBe(0);
  expect(stderr).toMatch(/scales from 1\.00 s of calibration audio/);
});

test('without --calibration it calibrates on the package\'s examples/noisy-sample.wav', async () => {
  const out = join(dir, 'default.thm');
  const { code, stderr } = await cli(['quantize', model, '--bits', '8', '--out', out]);
  expect(code).toBe(0);
  expect(stderr).toMatch(/scales from 9\.48 s of calibration audio/);
});

describe('errors', () => {
  test.each([
    [['quantize', model, '--out', 'x.thm'], /quantize needs --bits N: the weight bits, 2…8/],
    [['quantize', model, '--bits', '9', '--out', 'x.thm'], /--bits takes a weight width from 2 to 8, got '9'/],
    [['quantize', model, '--bits', '4', '--act-bits', '12', '--out', 'x.thm'], /--act-bits takes 8 or 16, got '12'/],
    [['quantize', model, '--bits', '4'], /quantize needs --out FILE/],
    [['quantize', '--bits', '4', '--out', 'x.thm'], /expected 1 argument\(s\) \(model\), got 0/],
    [['quantize', 'tests/fixtures/golden/conv.thm', '--bits', '4', '--out', 'x.thm'], /only models of float dense and gru layers can be quantized/],
  ])('%j is a usage error (exit 2) saying what is expected', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/See 'tinyhush quantize --help'/);
  });

  test('a folder without .wav files is a usage error; a missing file is a runtime error naming it', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const noWav = await cli(['quantize', model, '--bits', '4', '--calibration', empty, '--out', join(dir, 'e.thm')]);
    expect(noWav).toMatchObject({ code: 2, stderr: expect.stringMatching(/--calibration .*empty: the folder holds no \.wav file/) });
    const missing = await cli(['quantize', model, '--bits', '4', '--calibration', join(dir, 'absent.wav'), '--out', join(dir, 'm.thm')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/absent\.wav: no such file or directory \(ENOENT\)/) });
    await expect(readFile(join(dir, 'm.thm'))).rejects.toThrow(/ENOENT/);
  });
});
