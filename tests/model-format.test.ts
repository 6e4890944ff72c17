import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFormatError, UnknownModelError } from '../src/errors.js';
import { crc32 } from '../src/model/crc32.js';
import { describeModel } from '../src/model/describe.js';
import { denseMacsPerFrame } from '../src/model/macs.js';
import { readModel } from '../src/model/read.js';
import { DEFAULT_MODEL, listModels, MODEL_ALIASES, resolveModelBytes } from '../src/model/registry.js';
import type { ModelHeader } from '../src/model/types.js';
import { assembleFile, writeModel, type TensorData } from '../src/model/write.js';
import { tinyConvModel, tinyGruModel, type ModelParts } from './fixtures/format/models.js';
import { formatError } from './model-errors.js';

const FIXTURES = join(process.cwd(), 'tests/fixtures/format');

/** A header as plain JSON, mutated freely to build invalid files. */
type JsonHeader = any;

function write(parts: ModelParts = tinyGruModel()): Uint8Array {
  return writeModel(parts.header, parts.tensors);
}

function dataStartOf(file: Uint8Array): number {
  return 16 + new DataView(file.buffer, file.byteOffset).getUint32(12, true);
}

/** A well-framed file (valid CRC) whose header is the tiny model's, changed by `mutate`. */
function withHeader(mutate: (header: JsonHeader) => void, parts: ModelParts = tinyGruModel()): Uint8Array {
  const file = write(parts);
  const header = JSON.parse(JSON.stringify(readModel(file).header));
  mutate(header);
  return assembleFile(JSON.stringify(header), file.subarray(dataStartOf(file), file.length - 4));
}

/** Recomputes the trailing CRC after a deliberate edit. */
function withCrc(file: Uint8Array): Uint8Array {
  const out = file.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

const rejects = (bytes: Uint8Array, fragment: string | RegExp): void => expect(formatError(bytes).message).toMatch(fragment);

describe('crc32', () => {
  test('matches the standard check value of "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('writeModel → readModel', () => {
  test.each([['gru-mask', tinyGruModel], ['conv-mask', tinyConvModel]])('%s round trip keeps header and tensors', (_, make) => {
    const parts = make();
    const model = readModel(write(parts));
    const { tensors: _tensors, ...rest } = model.header;
    expect(rest).toEqual(parts.header);
    for (const [name, { shape, data }] of Object.entries(parts.tensors)) {
      expect(model.header.tensors.find((t) => t.name === name)?.shape).toEqual(shape);
      expect(model.tensor(name)).toEqual(data);
    }
  });

  test('lays tensors out in the given order at 64-byte boundaries, header padded with spaces', () => {
    const file = write();
    const { header } = readModel(file);
    const dataStart = dataStartOf(file);
    expect(dataStart % 64).toBe(0);
    expect(file[dataStart - 1]).toBe(0x20);
    expect(header.tensors.map((t) => t.name)).toEqual(Object.keys(tinyGruModel().tensors));
    header.tensors.forEach((t, i) => {
      expect(t.offset % 64).toBe(0);
      if (i > 0) expect(t.offset).toBe(Math.ceil((header.tensors[i - 1].offset + header.tensors[i - 1].byteLength) / 64) * 64);
    });
    const last = header.tensors[header.tensors.length - 1];
    expect(file.length).toBe(dataStart + last.offset + last.byteLength + 4);
  });

  test('reads from a Node Buffer', () => {
    const parts = tinyGruModel();
    const model = readModel(Buffer.from(write(parts)));
    expect(model.tensor('gru1.bias_hh')).toEqual(parts.tensors['gru1.bias_hh'].data);
  });

  test('rejects data that does not fill its shape, and asking for a tensor the model lacks', () => {
    const parts = tinyGruModel();
    parts.tensors['fc_in.bias'] = { shape: [8], data: new Float32Array(7) };
    expect(() => write(parts)).toThrow(/shape \[8\] holds 8 values but its data has 7/);
    expect(() => readModel(write()).tensor('nope')).toThrow(/has no tensor "nope"/);
  });

  test('rejects a header that does not match its tensors before writing', () => {
    const parts = tinyGruModel();
    parts.tensors['gru1.weight_hh'] = { shape: [24, 4], data: new Float32Array(96) };
    expect(() => write(parts)).toThrow(ModelFormatError);
  });
});

describe('python writer (training/thm.py) and TS writer agree byte for byte', () => {
  const inputs = JSON.parse(readFileSync(join(FIXTURES, 'inputs.json'), 'utf8')) as {
    header: Omit<ModelHeader, 'tensors'>; tensors: Record<string, { shape: number[]; data: number[] }>;
  };
  const pythonBytes = new Uint8Array(readFileSync(join(FIXTURES, 'python-written.thm')));

  test('writeModel rebuilds python-written.thm exactly', () => {
    const tensors: Record<string, TensorData> = {};
    for (const [name, { shape, data }] of Object.entries(inputs.tensors)) tensors[name] = { shape, data: Float32Array.from(data) };
    expect(Buffer.from(writeModel(inputs.header, tensors)).equals(Buffer.from(pythonBytes))).toBe(true);
  });

  test('provenance numbers read back as JavaScript numbers', () => {
    const { provenance } = readModel(pythonBytes).header;
    expect((provenance.floats as number[]).slice(0, 5)).toEqual([1e-12, 0.1, 1e21, 0, 123456789.5]);
    expect(Object.is((provenance.floats as number[])[3], 0)).toBe(true);
  });
});

describe('frame errors', () => {
  const file = write();
  const dataStart = dataStartOf(file);

  test('truncated at every length is rejected', () => {
    for (let length = 0; length < file.length; length += length < dataStart + 64 ? 1 : 37) {
      rejects(file.subarray(0, length), /truncated|past the end|CRC-32/);
    }
  });

  test('every single bit flip in the header region is rejected', () => {
    for (let bit = 0; bit < dataStart * 8; bit++) {
      const bad = file.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(formatError(bad)).toBeInstanceOf(ModelFormatError);
    }
  });

  test('bit flips in the data and the CRC are caught by the CRC', () => {
    for (let byte = dataStart; byte < file.length; byte += 53) {
      const bad = file.slice();
      bad[byte] ^= 1 << (byte % 8);
      rejects(bad, /CRC-32/);
    }
  });

  test('wrong magic, version, header length', () => {
    const bad = file.slice();
    bad[0] = 0x58;
    rejects(bad, /"TINYHUSH"/);
    const version = file.slice();
    new DataView(version.buffer).setUint32(8, 3, true);
    rejects(version, /version 3 is not supported; this reader supports versions 1 and 2/);
    const past = file.slice();
    new DataView(past.buffer).setUint32(12, Math.ceil(file.length / 64) * 64 + 64 - 16, true);
    rejects(past, /runs past the end/);
    const misaligned = file.slice();
    new DataView(misaligned.buffer).setUint32(12, dataStart - 16 + 8, true);
    rejects(misaligned, /multiple of 64/);
  });

  test('header that is not JSON or not UTF-8', () => {
    rejects(assembleFile('{"format":', new Uint8Array(0)), /not valid JSON/);
    const bad = write();
    bad[17] = 0xff;
    rejects(withCrc(bad), /not valid UTF-8/);
  });
});

describe('header errors', () => {
  const cases: [string, (h: JsonHeader) => void, RegExp][] = [
    ['format', (h) => { h.format = 'other'; }, /header.format: expected "tinyhush-model"/],
    ['version', (h) => { h.version = 2; }, /header.version: expected 1/],
    ['missing name', (h) => { delete h.name; }, /header.name: expected a non-empty string, found missing/],
    ['architecture', (h) => { h.architecture = 'lstm-mask'; }, /"gru-mask" or "conv-mask"/],
    ['sample rate', (h) => { h.sampleRate = 48000; }, /sampleRate: expected 16000 \(the only value the v1 engine supports\)/],
    ['stft hop', (h) => { h.stft.hop = 256; }, /stft.hop: expected 160 \(the only value the v1 engine supports\), found number 256/],
    ['stft window', (h) => { h.stft.windowLength = 512; }, /stft.windowLength: expected 320/],
    ['feature bins', (h) => { h.features.bins = 257; }, /features.bins: expected 161/],
    ['skipped state', (h) => { h.skippedState = 'reset'; }, /skippedState: expected "hold"/],
    ['provenance', (h) => { h.provenance = 3; }, /provenance: expected an object/],
    ['tensor past end', (h) => { h.tensors[9].offset += 64; }, /"mask.bias"\): expected to end inside the \d+-byte data section/],
    ['tensor misaligned', (h) => { h.tensors[1].offset += 4; }, /"fc_in.bias"\).offset: expected a multiple of 64/],
    ['tensors overlap', (h) => { h.tensors[1].offset = 0; }, /no overlaps, but "fc_in.bias" starts at 0 inside "fc_in.weight"/],
    ['byteLength vs shape', (h) => { h.tensors[0].shape = [8, 160]; }, /byteLength: expected 5120 \(what f32 \[8,160\] needs\)/],
    ['zero dimension', (h) => { h.tensors[0].shape = [0, 161]; }, /shape\[0\]: expected an integer ≥ 1/],
    ['unknown dtype', (h) => { h.tensors[0].dtype = 'f16'; }, /dtype: expected "f32" or "i32" or "i16" or "i8" or "u8" or "int2" .* or "block-sparse", found the string "f16"/],
    ['packed integers need a scale', (h) => { h.tensors[0].dtype = 'int4'; }, /"fc_in.weight"\).scale: expected a non-empty string, found missing/],
    ['duplicate tensor', (h) => { h.tensors[1].name = 'fc_in.weight'; }, /"fc_in.weight" appears twice/],
    ['data section longer than tensors', (h) => { h.tensors.pop(); }, /the last tensor ends at/],
    ['unknown op', (h) => { h.layers[1].op = 'lstm'; }, /op: expected "dense" or "gru" or "dwconv" or "add" or "dense-int" or "gru-int", found the string "lstm"/],
    ['unknown activation', (h) => { h.layers[0].activation = 'gelu'; }, /activation: expected "none" or "relu"/],
    ['size chain', (h) => { h.layers[1].in = 16; }, /"gru1"\).in: expected 8, the output size of "fc_in", found number 16/],
    ['input from a later layer', (h) => { h.layers[0].input = 'gru1'; }, /input: expected "features" or the name of an earlier layer/],
    ['duplicate layer', (h) => { h.layers[3].name = 'gru1'; h.exits[1].output = 'gru1'; }, /expected a unique name/],
    ['missing tensor', (h) => { h.layers[0].bias = 'fc_in.b'; }, /bias: expected the name of a tensor in the tensor table, found the string "fc_in.b"/],
    ['tensor of the wrong shape', (h) => { h.tensors[0].shape = [161, 8]; }, /weight: expected tensor "fc_in.weight" of shape \[8,161\]; it has shape \[161,8\]/],
    ['gru weight shape', (h) => { h.layers[1].hidden = 4; h.layers[3].in = 4; }, /weightIh: expected tensor "gru1.weight_ih" of shape \[12,8\]/],
    ['no exits', (h) => { h.exits = []; }, /at least one exit/],
    ['exit mask size', (h) => { h.exits[0].output = 'fc_in'; }, /features.bins = 161 values; "fc_in" produces 8/],
    ['exit not sigmoid', (h) => { h.layers[2].activation = 'relu'; }, /activation "sigmoid"/],
    ['exit incomplete', (h) => { h.exits[1].layers = ['gru1', 'mask']; }, /every layer that "gru1" depends on, but "fc_in" is missing/],
    ['exit out of order', (h) => { h.exits[1].layers = ['gru1', 'fc_in', 'mask']; }, /execution order without repeats, but "fc_in" comes after "gru1"/],
    ['exit without its output', (h) => { h.exits[1].layers = ['fc_in', 'gru1']; }, /to include the output layer "mask"/],
    ['exit names unknown layer', (h) => { h.exits[1].layers = ['fc_in', 'gru2', 'mask']; }, /layers\[1\]: expected the name of a layer, found the string "gru2"/],
    ['exits not cheapest first', (h) => { h.exits.reverse(); }, /cheapest first, but "exit0" \(2576 MACs\) follows "full" \(2960 MACs\)/],
    ['layer in no exit', (h) => { h.exits[1] = { name: 'full', output: 'exit0.mask', layers: ['fc_in', 'exit0.mask'] }; }, /"gru1" belongs to none/],
    ['gates not an array', (h) => { delete h.gates; }, /gates: expected an array, found missing/],
  ];
  test.each(cases)('%s', (_, mutate, fragment) => rejects(withHeader(mutate), fragment));

  const gateCases: [string, (h: JsonHeader) => void, RegExp][] = [
    ['gate channels', (h) => { h.gates[0].channels = 12; }, /expand: expected a dense layer with out = channels = 12/],
    ['gate layer op', (h) => { h.gates[0].depthwise = 'block0.project'; }, /depthwise: expected the name of a dwconv layer/],
    ['gate chain', (h) => { h.gates[0].project = 'fc_in'; }, /project: expected a dense layer with in = 16 reading "block0.dw"/],
    ['layer in two gates', (h) => { h.gates.push({ ...h.gates[0], name: 'again' }); }, /"block0.expand" is in two/],
    ['add of unequal sizes', (h) => { h.layers[4].inputs = ['fc_in', 'block0.dw']; }, /size: expected 16, the output size of "block0.dw"/],
  ];
  test.each(gateCases)('%s', (_, mutate, fragment) => rejects(withHeader(mutate, tinyConvModel()), fragment));
});

describe('cost and description', () => {
  test('dense MACs per frame count the exit\'s layers: dense in·out, gru 3h(in+h), dwconv c·k, add 0', () => {
    const gru = readModel(write()).header;
    expect(denseMacsPerFrame(gru, 0)).toBe(161 * 8 + 8 * 161);
    expect(denseMacsPerFrame(gru, 1)).toBe(161 * 8 + 3 * 8 * (8 + 8) + 8 * 161);
    expect(() => denseMacsPerFrame(gru, 2)).toThrow(/exit index 2 does not exist/);
    const conv = readModel(write(tinyConvModel())).header;
    expect(denseMacsPerFrame(conv, 0)).toBe(161 * 8 + 8 * 16 + 16 * 3 + 16 * 8 + 0 + 8 * 161);
  });

  test('describeModel lists layers with shapes, exits with MACs, gates, tensors and provenance', () => {
    const text = describeModel(readModel(write(tinyConvModel())));
    expect(text).toMatch(/architecture conv-mask, 16000 Hz/);
    expect(text).toMatch(/block0.dw: dwconv block0.expand → 16 kernel 3 dilation 2 relu \[16,3\] \[16\], 48 MACs/);
    expect(text).toContain(`full: mask from mask, ${161 * 8 + 8 * 16 + 16 * 3 + 16 * 8 + 8 * 161} dense MACs/frame`);
    expect(text).toMatch(/block0: 16 channels, block0.expand → block0.dw → block0.project/);
    expect(text).toMatch(/mask.bias: \[161\] f32, 644 bytes at \+\d+/);
  });
});

describe('registry', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'thm-'));
    writeFileSync(join(dir, 'tiny.thm'), write());
  });
  afterAll(() => rmSync(dir, { recursive: true }));

  test('lists the .thm files of a models directory with their descriptions', () => {
    expect(listModels(dir)).toEqual([{ name: 'tiny', path: join(dir, 'tiny.thm'), description: 'hand-made gru-mask test model' }]);
  });

  test('resolves a name, then a path; an unknown name lists what exists', () => {
    expect(readModel(resolveModelBytes('tiny', dir)).header.name).toBe('tiny-gru');
    expect(readModel(resolveModelBytes(join(dir, 'tiny.thm'))).header.name).toBe('tiny-gru');
    expect(() => resolveModelBytes('nope', dir)).toThrow(UnknownModelError);
    expect(() => resolveModelBytes('nope', dir)).toThrow(/unknown model "nope".*bundled models: tiny/);
  });

  test('the bundled registry is the package models/ directory', () => {
    const names = listModels().map((m) => m.name);
    if (!names.includes(MODEL_ALIASES[DEFAULT_MODEL] ?? DEFAULT_MODEL)) {
      expect(() => resolveModelBytes(DEFAULT_MODEL)).toThrow(UnknownModelError);
    } else {
      expect(readModel(resolveModelBytes(DEFAULT_MODEL)).header.exits.length).toBeGreaterThan(0);
    }
    expect(listModels().every((m) => m.path.startsWith(join(process.cwd(), 'models')))).toBe(true);
  });
});
