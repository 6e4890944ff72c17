/**
 * The worker pool and `tinyhush denoise --jobs N`: worker threads give exactly what the same work
 * gives in one thread. Workers cannot run TypeScript, so the pool (and the CLI that uses it) is
 * loaded from a file-by-file transpilation of src/ (tests/transpiled-sources.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createDenoiser } from '../src/denoiser.js';
import { denoiseFile } from '../src/node/denoise-file.js';
import type * as NodeApi from '../src/node/index.js';
import { writeWavFile } from '../src/node/wav.js';
import { testAudio } from './stream-models.js';
import { removeTranspiled, transpileSources } from './transpiled-sources.js';

const MODEL = new Uint8Array(readFileSync(join(process.cwd(), 'models', 'nsnet-ee-f32.thm')));
let built: string;
let api: typeof NodeApi;
let dir: string;
const inputs: string[] = [];

beforeAll(async () => {
  built = transpileSources();
  api = await import(pathToFileURL(join(built, 'node', 'index.js')).href) as typeof NodeApi;
  dir = mkdtempSync(join(tmpdir(), 'tinyhush-pool-'));
  const shapes = [[16000, 1], [48000, 2], [44100, 1], [22050, 2]] as const;
  for (const [i, [rate, channels]] of shapes.entries()) {
    const path = join(dir, `in-${i}.wav`);
    const audio = Array.from({ length: channels }, (_, c) => testAudio(Math.round(0.7 * rate), rate, 10 * i + c));
    await writeWavFile(path, { sampleRate: rate, channels: audio, format: i % 2 ? 'f32le' : 's16le' });
    inputs.push(path);
  }
});

afterAll(() => {
  removeTranspiled(built);
  rmSync(dir, { recursive: true, force: true });
});

describe('createDenoiserPool', () => {
  test('files denoised on 2 workers are byte for byte those of denoiseFile in this thread', async () => {
    const pool = api.createDenoiserPool({ workers: 2, model: MODEL });
    expect(pool.workers).toBe(2);
    try {
      const reports = await Promise.all(inputs.map((input, i) => pool.denoiseFile(input, join(dir, `pool-${i}.wav`),
        i === 1 ? { policy: { kind: 'adaptive' } } : {})));
      for (const [i, input] of inputs.entries()) {
        const here = await denoiseFile(input, join(dir, `here-${i}.wav`), { model: MODEL, ...(i === 1 && { policy: { kind: 'adaptive' } }) });
        expect(readFileSync(join(dir, `pool-${i}.wav`))).toEqual(readFileSync(join(dir, `here-${i}.wav`)));
        expect([reports[i].frames, reports[i].macs, reports[i].exitHistogram]).toEqual([here.frames, here.macs, here.exitHistogram]);
      }
    } finally {
      await pool.close();
    }
  });

  test('in-memory audio comes back aligned, as long as the input, equal to a stand-alone denoiser', async () => {
    const pool = api.createDenoiserPool({ workers: 1, model: MODEL });
    const audio = [testAudio(9000, 48000, 3), testAudio(9000, 48000, 4)];
    const out = await pool.denoise({ sampleRate: 48000, channels: audio.map((c) => c.slice()) });
    await pool.close();
    const denoiser = createDenoiser({ model: MODEL, sampleRate: 48000, channels: 2 });
    const lead = denoiser.latencySamples;
    const heads = denoiser.process(audio);
    const tails = denoiser.flush();
    const whole = heads.map((head, c) => {
      const all = new Float32Array(head.length + lead);
      all.set(head);
      all.set(tails[c], head.length);
      return all;
    });
    expect(out.map((c) => c.length)).toEqual([9000, 9000]);
    out.forEach((channel, c) => expect(channel).toEqual(whole[c].subarray(lead, lead + 9000)));
  });

  test('errors keep their type and code; aborted and post-close jobs are refused', async () => {
    const pool = api.createDenoiserPool({ workers: 1, model: MODEL });
    await expect(pool.denoiseFile(join(dir, 'missing.wav'), join(dir, 'x.wav'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await expect(pool.denoise({ sampleRate: 12345, channels: [new Float32Array(10)] }))
      .rejects.toMatchObject({ name: 'UnsupportedRateError', code: 'UNSUPPORTED_RATE' });
    const controller = new AbortController();
    const running = pool.denoiseFile(inputs[1], join(dir, 'a.wav'));
    const queued = pool.denoiseFile(inputs[2], join(dir, 'b.wav'), { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(queued).rejects.toThrow('stop');
    await running;
    await pool.close();
    await expect(pool.denoiseFile(inputs[0], join(dir, 'c.wav'))).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(() => api.createDenoiserPool({ workers: 0 })).toThrow(/workers must be an integer/);
  });
});

describe('tinyhush denoise --out-dir --jobs', () => {
  const cli = async (args: string[]): Promise<{ code: number; stderr: string }> => {
    const main = pathToFileURL(join(built, 'cli', 'main.js')).href;
    const code = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(process.argv.slice(1));`;
    try {
      const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code, ...args]);
      return { code: 0, stderr };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, stderr: failed.stderr };
    }
  };

  test('--jobs 2 writes the same files as --jobs 1', async () => {
    const one = mkdtempSync(join(dir, 'jobs1-'));
    const two = mkdtempSync(join(dir, 'jobs2-'));
    const report = join(dir, 'report.json');
    expect((await cli(['denoise', ...inputs, '--out-dir', one, '--jobs', '1'])).code).toBe(0);
    const run = await cli(['denoise', ...inputs, '--out-dir', two, '--jobs', '2', '--exit', '1', '--report', report]);
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').filter((line) => line.includes('RTF'))).toHaveLength(inputs.length);
    expect(JSON.parse(readFileSync(report, 'utf8')).map((r: { exitHistogram: number[] }) => r.exitHistogram[1] > 0)).toEqual(inputs.map(() => true));
    expect((await cli(['denoise', ...inputs, '--out-dir', two, '--jobs', '3'])).code).toBe(0);
    for (const [i] of inputs.entries()) {
      expect(readFileSync(join(two, `in-${i}.wav`))).toEqual(readFileSync(join(one, `in-${i}.wav`)));
    }
  });

  test('a failing file is reported by name while the others are written; bad usage is exit 2', async () => {
    const out = mkdtempSync(join(dir, 'fail-'));
    const run = await cli(['denoise', inputs[0], join(dir, 'missing.wav'), '--out-dir', out, '--jobs', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.wav');
    expect(readFileSync(join(out, 'in-0.wav')).length).toBeGreaterThan(44);
    expect((await cli(['denoise', inputs[0], inputs[0], '--out-dir', out])).stderr).toMatch(/would both be written/);
    expect((await cli(['denoise', inputs[0], join(dir, 'o.wav'), '--jobs', '2'])).code).toBe(2);
    expect((await cli(['denoise', inputs[0], '--out-dir', out, '--jobs', '0'])).stderr).toMatch(/--jobs takes/);
  });
});
