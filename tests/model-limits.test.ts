/**
 * Hostile model files (docs/model-format.md, "Limits"): each is refused with a ModelFormatError
 * before the engine allocates anything — huge dwconv dilations with a valid CRC, layers whose
 * state would not fit, deeply nested JSON, multi-megabyte strings, oversized headers — and
 * `engineMemory` agrees with what a real engine allocates.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/engine/engine.js';
import { ModelFormatError } from '../src/errors.js';
import { describeModel } from '../src/model/describe.js';
import { engineMemory } from '../src/model/engine-memory.js';
import { LIMITS } from '../src/model/limits.js';
import { readModel } from '../src/model/read.js';
import { resolveModelBytes } from '../src/model/registry.js';
import { decodeUtf8, decodeUtf8Portable, encodeUtf8 } from '../src/model/utf8.js';
import type { Model } from '../src/model/types.js';
import { assembleFile, writeModel } from '../src/model/write.js';
import { createCore } from '../src/wasm/core.js';
import { formatError, rejects } from './model-errors.js';
import { loadGateFixture } from './gates-fixture.js';

const golden = (kind: string): Uint8Array => new Uint8Array(readFileSync(join(process.cwd(), 'tests/fixtures/golden', `${kind}.thm`)));

function dataStartOf(file: Uint8Array): number {
  return 16 + new DataView(file.buffer, file.byteOffset).getUint32(12, true);
}

/** `file` with its header text replaced (CRC valid). */
function withHeaderText(file: Uint8Array, text: string): Uint8Array {
  return assembleFile(text, file.subarray(dataStartOf(file), file.length - 4));
}

function withHeader(file: Uint8Array, mutate: (header: any) => void): Uint8Array {
  const header = JSON.parse(JSON.stringify(readModel(file).header));
  mutate(header);
  return withHeaderText(file, JSON.stringify(header));
}

/** Bytes a real engine and one state take in a fresh core. */
function allocated(model: Model): { engineBytes: number; stateBytes: number } {
  const core = createCore('simd');
  const top = (): number => core.exports.alloc(0, 64);
  const start = top();
  const engine = createEngine(core, model);
  const afterEngine = top();
  engine.createState();
  return { engineBytes: afterEngine - start, stateBytes: top() - afterEngine };
}

describe('engineMemory', () => {
  test.each([
    ['gru golden', golden('gru')], ['conv golden', golden('conv')], ['gate fixture', loadGateFixture().bytes],
  ])('%s model: within 64 bytes per allocation of a real engine', (_, bytes) => {
    const model = readModel(bytes);
    const estimate = engineMemory(model.header);
    const actual = allocated(model);
    const allocations = 3 * model.header.layers.length + model.header.tensors.length + 8 + (model.header.exits.length + 1) ** 2;
    for (const part of ['engineBytes', 'stateBytes'] as const) {
      expect(estimate[part]).toBeGreaterThanOrEqual(actual[part]);
      expect(estimate[part] - actual[part]).toBeLessThanOrEqual(64 * allocations);
    }
  });

  test('tinyhush info shows it (for a float model: exact up to alignment)', () => {
    const model = readModel(golden('conv'));
    const { engineBytes, stateBytes } = engineMemory(model.header);
    expect(describeModel(model)).toContain(`engine memory: ${engineBytes} bytes of weights as f32 and scratch, ${stateBytes} bytes per stream`);
  });

  test('counts a dwconv history of (kernel − 1) · dilation frames', () => {
    const model = readModel(golden('conv'));
    const base = engineMemory(model.header).stateBytes;
    const wider = readModel(withHeader(golden('conv'), (h) => { h.layers.find((l: any) => l.op === 'dwconv').dilation = 1000; }));
    const dw = wider.header.layers.find((l) => l.op === 'dwconv')!;
    if (dw.op !== 'dwconv') throw new Error('no dwconv');
    const grown = engineMemory(wider.header).stateBytes - base;
    expect(grown).toBeGreaterThanOrEqual(4 * (dw.kernel - 1) * (1000 - model.header.layers.find((l) => l.op === 'dwconv')!.dilation!) * dw.channels - 64);
    expect(allocated(wider).stateBytes).toBeLessThanOrEqual(engineMemory(wider.header).stateBytes);
  });
});

describe('hostile model files are ModelFormatErrors', () => {
  test.each([2 ** 30, 2 ** 20, 2 ** 31 + 5])('dwconv dilation %d with a valid CRC', (dilation) => {
    rejects(withHeader(golden('conv'), (h) => { h.layers.find((l: any) => l.op === 'dwconv').dilation = dilation; }),
      new RegExp(`dilation: expected an integer from 1 to ${LIMITS.dwconvDilation}, found number ${dilation}`));
  });

  test('layer sizes, kernels and counts beyond the limits', () => {
    rejects(withHeader(golden('gru'), (h) => { h.layers[0].out = 70000; }), /out: expected an integer from 1 to 65536, found number 70000/);
    rejects(withHeader(golden('conv'), (h) => { h.layers.find((l: any) => l.op === 'dwconv').kernel = 1000; }), /kernel: expected an integer from 1 to 256/);
    rejects(withHeader(golden('gru'), (h) => { h.layers = Array.from({ length: 300 }, () => h.layers[0]); }), /layers: expected at most 256 entries, found number 300/);
    rejects(withHeader(golden('gru'), (h) => { h.exits = Array.from({ length: 20 }, () => h.exits[0]); }), /exits: expected at most 16 entries/);
    rejects(withHeader(golden('gru'), (h) => { h.tensors[0].shape = [1, 1, 1, 1, 1, 1, 1, 1, h.tensors[0].shape[0] * h.tensors[0].shape[1]]; }), /shape: expected 1 to 8 dimensions/);
  });

  test('a tensor too large to expand, even one no layer reads', () => {
    const file = withHeader(golden('gru'), (h) => {
      h.tensors.push({ name: 'huge', dtype: 'csr', shape: [65536, 65536], offset: 0, byteLength: 1, values: 'f32', nnz: 0, indexBits: 16 });
    });
    rejects(file, /"huge"\).shape: expected at most 67108864 elements, found number 4294967296/);
  });

  test('a small file whose layers would need more engine memory than the limit', () => {
    // 65536 channels through a dwconv of kernel 256, dilation 4096: every field in range, weights
    // csr with nothing stored (a file of ≈ 0.6 MB), but the history alone would take 274 GB.
    const wide = 65536;
    const empty = (rows: number, cols: number) => ({ dtype: 'csr' as const, shape: [rows, cols] as [number, number], valueDtype: 'f32' as const,
      indexBits: 16 as const, rowPtr: new Uint32Array(rows + 1), colIdx: [], values: [] });
    const parts = {
      format: 'tinyhush-model', version: 1, name: 'wide', description: '', architecture: 'conv-mask', sampleRate: 16000,
      stft: { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 }, features: { type: 'log10-power', epsilon: 1e-12, bins: 161 },
      layers: [
        { name: 'in', op: 'dense', input: 'features', in: 161, out: wide, activation: 'none', weight: 'in.w', bias: 'b' },
        { name: 'dw', op: 'dwconv', input: 'in', channels: wide, kernel: 256, dilation: 4096, activation: 'none', weight: 'dw.w', bias: 'b' },
        { name: 'mask', op: 'dense', input: 'dw', in: wide, out: 161, activation: 'sigmoid', weight: 'mask.w', bias: 'mask.b' },
      ],
      exits: [{ name: 'full', output: 'mask', layers: ['in', 'dw', 'mask'] }], gates: [], skippedState: 'hold', provenance: {},
    } as const;
    const error = (() => {
      try {
        writeModel(parts as any, {
          'in.w': empty(wide, 161), 'dw.w': empty(wide, 256), 'mask.w': empty(161, wide),
          b: { shape: [wide], data: new Float32Array(wide) }, 'mask.b': { shape: [161], data: new Float32Array(161) },
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toMatch(/layers: expected a model the engine can hold in 268435456 bytes; it needs \d+ for weights \(as f32\) and \d+ per stream/);
  });

  test('JSON nested 100,000 deep', () => {
    const text = JSON.stringify(readModel(golden('gru')).header).replace('"provenance":{', `"provenance":{"deep":${'['.repeat(100000)}${']'.repeat(100000)},`);
    rejects(withHeaderText(golden('gru'), text), /JSON nested deeper than 64 levels/);
    // The schema's own depth is fine, and so is nesting up to the limit.
    const ok = JSON.stringify(readModel(golden('gru')).header).replace('"provenance":{', `"provenance":{"deep":${'['.repeat(60)}${']'.repeat(60)},`);
    expect(readModel(withHeaderText(golden('gru'), ok)).header.provenance.deep).toBeDefined();
  });

  test('a multi-megabyte provenance string, and strings up to the limit', () => {
    rejects(withHeader(golden('gru'), (h) => { h.provenance.note = 'x'.repeat(3 << 20); }), /a string at byte \d+ is longer than 65536 bytes/);
    rejects(withHeader(golden('gru'), (h) => { h.provenance.note = 'x'.repeat(5 << 20); }), /header length \d+ is over the limit of 4194304 bytes/);
    rejects(withHeader(golden('gru'), (h) => { h.provenance.note = '\\"'.repeat(40000); }), /longer than 65536 bytes/);
    const text = 'ä"'.repeat(10000); // 30,000 bytes before escaping, with quotes that must not end the scan
    expect(readModel(withHeader(golden('gru'), (h) => { h.provenance.note = text; })).header.provenance.note).toBe(text);
  });

  test('UTF-8: the portable decoder (AudioWorklet) and TextDecoder agree on valid and malformed headers', () => {
    const cases = [
      encodeUtf8('{"a":"äöü € 😀"}'), Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d), // BOM kept, as JSON.parse then refuses it
      Uint8Array.of(0x7b, 0xff, 0x7d), Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xe2, 0x82),
      Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
    ];
    for (const bytes of cases) expect(decodeUtf8Portable(bytes)).toBe(decodeUtf8(bytes));
    expect(cases.map((b) => decodeUtf8(b) === null)).toEqual([false, false, true, true, true, true, true]);
  });

  test('a model file over the size limit is refused by its size, before it is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thm-big-'));
    try {
      for (const size of [LIMITS.fileBytes + 1, 2 ** 31 + 10]) {
        const path = join(dir, 'big.thm');
        writeFileSync(path, golden('gru'));
        truncateSync(path, size); // sparse: no disk space used
        expect(() => resolveModelBytes(path, dir)).toThrow(ModelFormatError);
        expect(() => resolveModelBytes(path, dir)).toThrow(`model file ${path} is ${size} bytes; a model file is at most 536870912 bytes`);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('a header length over the limit is refused before anything is read', () => {
    const file = golden('gru').slice();
    new DataView(file.buffer).setUint32(12, 0xffffffc0 - 16, true);
    rejects(file, /header length 4294967216 is over the limit of 4194304 bytes/);
  });
});
