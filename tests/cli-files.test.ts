/**
 * The CLI and odd paths: special output files, a report over the input, Ctrl-C, permissions,
 * links, names at the length limit, and errors that name the user's path without stack traces.
 */
import { execFileSync } from 'node:child_process';
import { chmod, link, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { OPTIONS as DENOISE_OPTIONS } from '../src/cli/commands/denoise.js';
import { OPTIONS as EVAL_OPTIONS } from '../src/cli/commands/eval.js';
import { runCli } from './cli-run.js';
import { assembleFile } from '../src/model/write.js';
import { writeWavFile } from '../src/node/wav.js';

const model = 'tests/fixtures/golden/gru.thm';
let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-cli-files-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const cli = runCli;

async function wav(name: string, frames = 1600) {
  const path = join(dir, name);
  await writeWavFile(path, {
    sampleRate: 16000, format: 's16le',
    channels: [Float32Array.from({ length: frames }, (_, i) => 0.3 * Math.sin(0.05 * i))],
  });
  return path;
}

/** Leftover temporary files in the test folder. */
async function tempFiles() {
  return (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
}

describe('output paths that are not regular files', () => {
  test.each([
    ['a named pipe', async () => { const p = join(dir, 'fifo'); execFileSync('mkfifo', [p]); return p; }, /a named pipe \(FIFO\), not a regular file/],
    // A device node of its own in the test folder (root only), never a system one such as /dev/null.
    ['a device', async () => { const p = join(dir, 'null-device'); execFileSync('mknod', [p, 'c', '1', '3']); return p; }, /null-device is a device, not a regular file/],
    ['a folder', async () => { const p = join(dir, 'folder'); await mkdir(p); return p; }, /folder is a folder, not a regular file/],
  ])('%s is refused and left as it was', async (kind, make, message) => {
    const output = await make().catch((error: Error) => {
      console.warn(`skipping ${kind}: cannot make one here (${error.message.split('\n')[0]})`);
    });
    if (output === undefined) return;
    const before = await stat(output);
    const { code, stderr } = await cli(['denoise', await wav('special-in.wav'), output, '--model', model]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    const after = await stat(output);
    expect([after.mode, after.ino]).toEqual([before.mode, before.ino]);
    expect(await tempFiles()).toEqual([]);
  });
});

describe('--report', () => {
  test.each([
    ['the input', (input: string) => input, /--report .* is the input file/],
    ['the input by a relative path', (input: string) => relative(process.cwd(), input), /is the input file/],
    ['the input through a symbolic link', async (input: string) => { const p = join(dir, 'link-to-in.wav'); await symlink(input, p); return p; }, /is the input file/],
    ['the input through a hard link', async (input: string) => { const p = join(dir, 'hard-in.wav'); await link(input, p); return p; }, /is the input file/],
    ['the output', (_input: string, output: string) => output, /is the output file/],
    ['the output by another spelling', (_input: string, output: string) => `${dir}/sub/../${relative(dir, output)}`, /is the output file/],
  ])('equal to %s is refused before anything is written', async (_case, reportOf, message) => {
    await mkdir(join(dir, 'sub'), { recursive: true });
    const input = await wav(`report-in-${Math.random().toString(36).slice(2)}.wav`);
    const output = join(dir, 'report-out.wav');
    await rm(output, { force: true });
    const original = await readFile(input);
    const { code, stderr } = await cli(['denoise', input, output, '--model', model, '--report', await reportOf(input, output)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(await readFile(input)).toEqual(original);
    await expect(stat(output)).rejects.toThrow(/ENOENT/);
  });
});

describe('interrupts', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)('%s stops denoising, removes the temporary file and exits 128 + n', async (signal) => {
    // Jest's own listeners must not see the emitted signal; the CLI's must.
    const saved = process.listeners(signal);
    process.removeAllListeners(signal);
    try {
      const input = await wav(`long-${signal}.wav`, 16000 * 10);
      const output = join(dir, `long-${signal}-out.wav`);
      let emitted = false;
      const { code, stderr } = await cli(['denoise', input, output, '--model', model], {
        isTTY: true,
        onStderr: (text) => { if (!emitted && text.includes('denoising')) { emitted = true; process.emit(signal, signal); } },
      });
      expect(emitted).toBe(true);
      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(stderr).toMatch(new RegExp(`interrupted by ${signal}; .*long-${signal}-out\\.wav was not written`));
      expect(stderr).not.toMatch(/denoising: 100%/);
      await expect(stat(output)).rejects.toThrow(/ENOENT/);
      expect(await tempFiles()).toEqual([]);
      expect(process.listenerCount(signal)).toBe(0);
    } finally {
      for (const listener of saved) process.on(signal, listener as () => void);
    }
  });
});

describe('replacing an existing output', () => {
  test('keeps its permissions', async () => {
    const output = join(dir, 'private-out.wav');
    await writeFile(output, 'old');
    await chmod(output, 0o640);
    expect((await cli(['denoise', await wav('private-in.wav'), output, '--model', model])).code).toBe(0);
    expect((await stat(output)).mode & 0o777).toBe(0o640);
    expect((await readFile(output)).subarray(0, 4).toString()).toBe('RIFF');
  });

  test('through a symbolic link replaces the file it points to and keeps the link', async () => {
    const target = join(dir, 'real-out.wav');
    const linkPath = join(dir, 'link-out.wav');
    await writeFile(target, 'old');
    await symlink(target, linkPath);
    expect((await cli(['denoise', await wav('link-src.wav'), linkPath, '--model', model])).code).toBe(0);
    expect((await lstat(linkPath)).isSymbolicLink()).toBe(true);
    expect(await readlink(linkPath)).toBe(target);
    expect((await readFile(target)).subarray(0, 4).toString()).toBe('RIFF');
  });

  test('may be the input itself', async () => {
    const input = await wav('in-place.wav');
    expect((await cli(['denoise', input, input, '--model', model])).code).toBe(0);
    expect((await stat(input)).size).toBe((await stat(await wav('in-place-ref.wav'))).size);
  });
});

test('an output name at the 255-byte limit is written (the temporary name does not grow with it)', async () => {
  const output = join(dir, `${'n'.repeat(251)}.wav`);
  const { code, stderr } = await cli(['denoise', await wav('short.wav'), output, '--model', model]);
  expect(stderr).not.toMatch(/ENAMETOOLONG/);
  expect(code).toBe(0);
  expect((await stat(output)).isFile()).toBe(true);
});

describe('errors name the path and carry no stack trace', () => {
  test.each([
    ['a missing input', async () => ['denoise', join(dir, 'absent.wav'), join(dir, 'x.wav')],
      /^tinyhush: cannot open .*absent\.wav: no such file or directory \(ENOENT\)\n$/],
    ['an output folder that does not exist', async () => ['denoise', await wav('to-nowhere.wav'), join(dir, 'no-dir', 'out.wav'), '--model', model],
      /^tinyhush: cannot write .*no-dir\/out\.wav: no such file or directory/],
    ['a report in a folder that does not exist', async () => ['denoise', await wav('r.wav'), join(dir, 'r-out.wav'), '--model', model, '--report', join(dir, 'no-dir', 'r.json')],
      /^tinyhush: cannot open .*no-dir\/r\.json: no such file or directory/],
    ['a model file over 2 GiB', async () => {
      const huge = join(dir, 'huge.thm');
      await writeFile(huge, '');
      await truncate(huge, 2 ** 31 + 4096); // sparse: takes no disk space
      return ['info', huge];
    }, /^tinyhush: model file .*huge\.thm is \d+ bytes; a model file is at most/],
    ['a model header nested 100,000 deep', async () => {
      const nested = join(dir, 'nested.thm');
      await writeFile(nested, assembleFile(`{"a":${'['.repeat(100000)}${']'.repeat(100000)}}`, new Uint8Array(0)));
      return ['info', nested];
    }, /^tinyhush: .*nested\.thm: model header: /],
    ['a denoise with that model', async () => ['denoise', await wav('m.wav'), join(dir, 'm-out.wav'), '--model', join(dir, 'nested.thm')],
      /^tinyhush: .*nested\.thm: model header: /],
  ])('%s', async (_case, args, message) => {
    const { code, stderr } = await cli(await args());
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

test('the top-level help lists every option of every command', async () => {
  const { code, stdout } = await cli(['--help']);
  expect(code).toBe(0);
  const options = [...Object.keys(DENOISE_OPTIONS), ...Object.keys(EVAL_OPTIONS), 'help', 'version'];
  expect(options.length).toBeGreaterThan(10);
  for (const option of options) expect(stdout).toContain(`--${option}`);
});
