/**
 * The benchmark's default quality subset must stand for the whole test split: every noise source
 * keeps its share and each source's files span its SNR range.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { testFiles } = (await import('../bench/lib/quality.mjs' as string)) as {
  testFiles: (testsetDir: string, limit: number) => Promise<string[]>;
};

const SOURCES = ['noise/esc10/001_dog_bark', 'noise/asterisk_moh', 'synthetic:siren'];
const PER_SOURCE = 8;
let dir: string;
const rows: { file: string; source: string; snr: number }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyhush-testfiles-'));
  // Names run in blocks of one source, so a prefix by name would hold a single source.
  for (let i = 0; i < SOURCES.length * PER_SOURCE; i++) {
    const source = SOURCES[Math.floor(i / PER_SOURCE)];
    const file = `${String(i).padStart(3, '0')}.wav`;
    const snr = -5 + ((i * 7) % 25);
    rows.push({ file, source, snr });
  }
  const lines = rows.map((r) => `${r.file},speech/a.flac,${r.source}/x.flac+${r.source}/y.flac,${r.snr},-20,5.0`);
  writeFileSync(join(dir, 'manifest.csv'), ['file,speech,noise,snr_db,level_dbfs,seconds', ...lines].join('\n') + '\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a subset takes the same number of files from every source, low and high SNR alike', async () => {
  const picked = await testFiles(dir, 6);
  expect(picked).toEqual([...picked].sort());
  const chosen = rows.filter((r) => picked.includes(r.file));
  for (const source of SOURCES) {
    const snrs = chosen.filter((r) => r.source === source).map((r) => r.snr).sort((a, b) => a - b);
    const all = rows.filter((r) => r.source === source).map((r) => r.snr).sort((a, b) => a - b);
    expect(snrs).toHaveLength(2);
    expect(snrs[0]).toBeLessThan(all[PER_SOURCE / 2]);
    expect(snrs[1]).toBeGreaterThanOrEqual(all[PER_SOURCE / 2]);
  }
});

test('a limit that covers the split returns every file by name', async () => {
  expect(await testFiles(dir, 100)).toEqual(rows.map((r) => r.file));
});
