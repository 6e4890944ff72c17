/**
 * Tensor encodings (docs/model-format.md, "Tensor dtypes"): packed int2…int8, i32, csr and
 * block-sparse. The TS writer rebuilds the Python-written fixture byte for byte, the TS decoder
 * expands every tensor exactly as training/thm.py does, and every malformed tensor is a typed
 * ModelFormatError.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFormatError } from '../src/errors.js';
import { crc32 } from '../src/model/crc32.js';
import { codeAt } from '../src/model/decode-tensor.js';
import { describeModel } from '../src/model/describe.js';
import { readModel } from '../src/model/read.js';
import type { ModelHeader } from '../src/model/types.js';
import { assembleFile, writeModel, type TensorData } from '../src/model/write.js';
import { dataStartOf, FIXTURES, inputs, pythonEncoded as pythonBytes, tensorData, withData } from './format-fixture.js';
import { formatError, rejects } from './model-errors.js';

/** The fixture with its header changed by `mutate` (CRC recomputed). */
function withHeader(mutate: (header: any) => void): Uint8Array {
  const header = JSON.parse(JSON.stringify(readModel(pythonBytes).header));
  mutate(header);
  return assembleFile(JSON.stringify(header), pythonBytes.subarray(dataStartOf(pythonBytes), pythonBytes.length - 4), header.version);
}

describe('python (training/thm.py) and TS agree on every encoding', () => {
  test('the fixture covers every dtype, both index widths, zero points and per-row scales', () => {
    const tensors = readModel(pythonBytes).header.tensors;
    const dtypes = new Set(tensors.map((t) => (t.dtype === 'csr' || t.dtype === 'block-sparse' ? `${t.dtype}:${t.values}` : t.dtype)));
    for (const d of ['f32', 'i32', 'i16', 'i8', 'u8', 'int2', 'int3', 'int4', 'int5', 'int6', 'int7', 'int8', 'csr:f32', 'csr:int8', 'block-sparse:f32', 'block-sparse:int4']) {
      expect(dtypes).toContain(d);
    }
    expect(new Set(tensors.map((t) => t.indexBits).filter(Boolean))).toEqual(new Set([8, 16, 32]));
    expect(new Set(tensors.filter((t) => t.nnz !== undefined).map((t) => t.rowPtrBits ?? 32))).toEqual(new Set([16, 32]));
  });

  test('the committed fixtures are what training/thm.py writes now', () => {
    const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (python.status !== 0) {
      console.warn('skipped: python3 with numpy is not available to rerun tests/fixtures/format/make.py');
      return;
    }
    const out = mkdtempSync(join(tmpdir(), 'thm-fixtures-'));
    try {
      const run = spawnSync('python3', [join(FIXTURES, 'make.py'), out], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      for (const file of ['python-written.thm', 'python-encoded.thm', 'inputs.json', 'encoded-inputs.json']) {
        expect([file, readFileSync(join(out, file)).equals(readFileSync(join(FIXTURES, file)))]).toEqual([file, true]);
      }
    } finally {
      rmSync(out, { recursive: true });
    }
  });

  test('writeModel rebuilds python-encoded.thm exactly', () => {
    expect(Buffer.from(writeModel(inputs.header, tensorData())).equals(Buffer.from(pythonBytes))).toBe(true);
  });

  test('every tensor decodes to exactly what thm.read_model expands it to', () => {
    const model = readModel(pythonBytes);
    for (const spec of model.header.tensors) {
      expect([spec.name, model.tensor(spec.name)]).toEqual([spec.name, Float32Array.from(inputs.decoded[spec.name])]);
    }
  });

  test('decoded values follow x = scale · (q − zeroPoint) and sparse zeros', () => {
    const model = readModel(pythonBytes);
    const t = inputs.tensors['fc_in.weight'];
    const codes = t.codes as number[];
    const scale = model.tensor('fc_in.weight.scale');
    const zero = model.tensor('fc_in.weight.zeroPoint');
    const w = model.tensor('fc_in.weight');
    expect(w[161 + 5]).toBe(Math.fround(scale[1] * (codes[161 + 5] - zero[1])));
    const empty = model.tensor('extra.empty');
    expect(Array.from(empty)).toEqual(new Array(15).fill(0));
  });

  test('codeAt reads two\'s-complement codes across byte boundaries', () => {
    // codes 3, −4, 1, −1 at 3 bits: 011 100 001 111 → bits LSB first
    const bytes = Uint8Array.of(0b01100011, 0b00001110);
    expect([0, 1, 2, 3].map((i) => codeAt(bytes, 0, i, 3))).toEqual([3, -4, 1, -1]);
  });
});

describe('malformed encoded tensors are ModelFormatErrors', () => {
  const headerCases: [string, (h: any) => void, RegExp][] = [
    ['packed byteLength vs bits', (h) => { h.tensors[0].dtype = 'int5'; }, /byteLength: expected 404 \(what int5 \[4,161\] needs\), found number 324/],
    ['packed without scale', (h) => { delete h.tensors[0].scale; }, /"fc_in.weight"\).scale: expected a non-empty string, found missing/],
    ['scale names no tensor', (h) => { h.tensors[0].scale = 'nope'; }, /scale: expected the name of a tensor/],
    ['scale of the wrong dtype', (h) => { h.tensors[0].scale = 'fc_in.weight.zeroPoint'; }, /a f32 tensor of shape \[1\] or \[4\].*is i32/],
    ['scale of the wrong shape', (h) => { h.tensors[0].scale = 'gru1.weight_hh.scale'; }, /shape \[1\] or \[4\] \(per row\); "gru1.weight_hh.scale" is f32 \[12\]/],
    ['zero point shaped unlike its scale', (h) => { h.tensors[0].scale = 'gru1.weight_ih.scale'; }, /zeroPoint: expected the shape of its scale tensor/],
    ['scale on an f32 tensor', (h) => { h.tensors[1].scale = 'gru1.weight_ih.scale'; }, /"fc_in.bias"\).scale: expected no "scale" on a f32 tensor/],
    ['scale on f32 sparse values', (h) => { h.tensors[6].scale = 'gru1.weight_ih.scale'; }, /no "scale" on a csr \(f32 values\) tensor/],
    ['nnz on a packed tensor', (h) => { h.tensors[0].nnz = 3; }, /nnz: expected no "nnz" on a int4 tensor/],
    ['csr nnz disagrees with byteLength', (h) => { h.tensors[3].nnz = 23; }, /"gru1.weight_hh"\).byteLength: expected \d+ \(what csr/],
    ['csr nnz above capacity', (h) => { h.tensors[12].nnz = 16; }, /nnz: expected at most 15/],
    ['csr of three dimensions', (h) => { h.tensors[6].shape = [161, 2, 2]; }, /shape: expected 2 dimensions for a csr tensor/],
    ['16-bit indices over 65536 columns', (h) => { h.tensors[12].shape = [1, 70000]; }, /indexBits: expected 32: 70000 columns do not fit 16 bits/],
    ['unknown value encoding', (h) => { h.tensors[6].values = 'f16'; }, /values: expected "f32" or "int2"/],
    ['index width 12', (h) => { h.tensors[6].indexBits = 12; }, /indexBits: expected 8 or 16 or 32, found number 12/],
    ['row pointer width 8', (h) => { h.tensors[6].rowPtrBits = 8; }, /rowPtrBits: expected 16 or 32, found number 8/],
    ['block larger than the shape', (h) => { h.tensors[8].block = [6, 8]; }, /block: expected a block shape no larger than \[161,4\]/],
    ['block row not whole bytes', (h) => { h.tensors[8].block = [7, 1]; }, /block columns × 4 bits to be a multiple of 8/],
    ['block missing', (h) => { delete h.tensors[10].block; }, /block: expected an array, found missing/],
    ['block on csr', (h) => { h.tensors[6].block = [1, 1]; }, /no "block" on a csr \(f32 values\) tensor/],
    ['unknown dtype', (h) => { h.tensors[1].dtype = 'f16'; }, /dtype: expected "f32" or "i32" or "i16" or "i8" or "u8" or "int2".*found the string "f16"/],
    ['layer reads an i32 tensor', (h) => { h.layers[0].bias = 'fc_in.weight.zeroPoint'; }, /bias: expected a tensor of values; "fc_in.weight.zeroPoint" is i32/],
  ];
  test.each(headerCases)('%s', (_, mutate, fragment) => rejects(withHeader(mutate), fragment));

  const dataCases: [string, string, (v: DataView) => void, RegExp][] = [
    ['rowPtr[0] not 0', 'gru1.weight_hh', (v) => v.setUint32(0, 1, true), /rowPtr\[0\] is 1, must be 0/],
    ['rowPtr decreasing', 'gru1.weight_hh', (v) => v.setUint32(4 * 2, 0, true), /rowPtr\[2\] is 0: row pointers must be non-decreasing/],
    ['rowPtr past nnz', 'gru1.weight_hh', (v) => v.setUint32(4 * 3, 1000, true), /rowPtr\[3\] is 1000: .*at most nnz = 22/],
    ['rowPtr not ending at nnz', 'gru1.weight_hh', (v) => v.setUint32(4 * 12, 21, true), /rowPtr\[12\] is 21; it must equal nnz = 22/],
    ['column index out of range', 'gru1.weight_hh', (v) => v.setUint16(64, 4, true), /column index 0 \(row 0\) is 4: .*< 4/],
    ['unsorted row', 'exit0.weight', (v) => {
      let r = 0; // the first row storing two elements: swap their columns
      while (v.getUint32(4 * (r + 1), true) - v.getUint32(4 * r, true) < 2) r++;
      const at = 704 + 4 * v.getUint32(4 * r, true);
      const first = v.getUint32(at, true);
      v.setUint32(at, v.getUint32(at + 4, true), true);
      v.setUint32(at + 4, first, true);
    }, /column index \d+ \(row \d+\) is \d: indices must be strictly increasing within a row/],
    ['repeated column', 'gru1.weight_hh', (v) => {
      let r = 0;
      while (v.getUint32(4 * (r + 1), true) - v.getUint32(4 * r, true) < 2) r++;
      const at = 64 + 2 * v.getUint32(4 * r, true);
      v.setUint16(at + 2, v.getUint16(at, true), true);
    }, /column index \d+ \(row \d+\) is \d: indices must be strictly increasing within a row/],
    ['block column out of range', 'mask.weight', (v) => v.setUint16(128, 2, true), /column index 0 \(block row \d+\) is 2: .*< 2/],
    ['block rowPtr inconsistent', 'extra.blocks', (v) => v.setUint32(4, 5, true), /rowPtr\[1\] is 5: .*at most nnz = 4/],
    ['scale zero', 'fc_in.weight.scale', (v) => v.setFloat32(4, 0, true), /scale "fc_in.weight.scale"\[1\] is 0; scales must be finite and > 0/],
    ['scale NaN', 'gru1.weight_ih.scale', (v) => v.setFloat32(0, NaN, true), /scale "gru1.weight_ih.scale"\[0\] is NaN/],
    ['scale infinite', 'mask.weight.scale', (v) => v.setFloat32(8, Infinity, true), /is Infinity/],
    ['zero point out of range', 'fc_in.weight.zeroPoint', (v) => v.setInt32(0, 8, true), /zero point "fc_in.weight.zeroPoint"\[0\] is 8, outside the 4-bit code range \[-8, 7\]/],
    ['padding bits of a packed row', 'fc_in.weight', (v) => v.setUint8(80, v.getUint8(80) | 0x80), /unused high bits of the last byte of row 0 are not zero/],
  ];
  test.each(dataCases)('%s', (_, name, edit, fragment) => rejects(withData(name, edit), fragment));

  test('padding bits of a csr value stream', () => {
    const tensors = tensorData();
    tensors['extra.empty'] = { dtype: 'csr', shape: [3, 5], valueDtype: 'int6', indexBits: 16, rowPtr: [0, 1, 1, 2],
      colIdx: [0, 4], values: [5, -3], scale: 'mask.bias.scale' };
    const file = writeModel(inputs.header, tensors);
    expect(readModel(file).tensor('extra.empty')[14]).toBe(Math.fround(-3 * readModel(file).tensor('mask.bias.scale')[0]));
    const spec = readModel(file).header.tensors.find((t) => t.name === 'extra.empty')!;
    const last = dataStartOf(file) + spec.offset + spec.byteLength - 1;
    file[last] |= 0x40; // 12 bits used of 16
    new DataView(file.buffer).setUint32(file.length - 4, crc32(file.subarray(0, file.length - 4)), true);
    rejects(file, /unused high bits of the last byte of the value stream are not zero/);
  });

  test('the writer refuses codes outside the bit width and parts that do not fit the shape', () => {
    const tensors = tensorData();
    const packed = { ...(tensors['gru1.weight_ih'] as any) };
    packed.codes = [...packed.codes];
    packed.codes[3] = 4;
    expect(() => writeModel(inputs.header, { ...tensors, 'gru1.weight_ih': packed })).toThrow(/code 4 is outside the 3-bit range \[-4, 3\]/);
    packed.codes = packed.codes.slice(1);
    expect(() => writeModel(inputs.header, { ...tensors, 'gru1.weight_ih': packed })).toThrow(/codes has 47 entries; the shape needs 48/);
    const sparse = { ...(tensors['exit0.weight'] as any), rowPtr: [0, 1] };
    expect(() => writeModel(inputs.header, { ...tensors, 'exit0.weight': sparse })).toThrow(/rowPtr has 2 entries; the shape needs 162/);
  });
});

describe('tinyhush info (describeModel) shows encodings and sizes', () => {
  const text = describeModel(readModel(pythonBytes));

  test('each tensor: encoding, bit width, quantization, sparsity and bytes', () => {
    expect(text).toContain('  fc_in.weight: [4,161] int4 (4-bit), per-row scale and zero point, 324 bytes at +0');
    expect(text).toContain('  gru1.weight_ih: [12,4] int3 (3-bit), per-tensor scale, 24 bytes');
    expect(text).toContain('  gru1.weight_hh: [12,4] csr of int8 (8-bit), per-row scale, nnz 22 of 48 (54.2 % sparse), 16-bit indices, 150 bytes');
    expect(text).toContain('  exit0.weight: [161,4] csr of f32, nnz 196 of 644 (69.6 % sparse), 32-bit indices, 2320 bytes');
    expect(text).toMatch(/ {2}mask.weight: \[161,4\] block-sparse of int4 \(4-bit\), per-row scale and zero point, blocks 7×2, nnz 17 of 46 \(63.0 % sparse\), 16-bit indices, 311 bytes/);
    expect(text).toContain('  fc_in.weight.zeroPoint: [4] i32, 16 bytes');
    expect(text).toContain('  extra.delta: [3,700] csr of f32, nnz 7 of 2100 (99.7 % sparse), 8-bit delta indices, 16-bit row pointers, 156 bytes');
  });

  test('totals: stored bytes, against dense f32, and by encoding', () => {
    const { tensors } = readModel(pythonBytes).header;
    const stored = tensors.reduce((sum, t) => sum + t.byteLength, 0);
    expect(text).toContain(`tensors (${tensors.length}, ${stored} bytes, 6.7 % of dense f32's 106560; by encoding: int4 324, f32 `);
    expect(text).toMatch(/csr of f32 2476, .*block-sparse of int4 311, .*i32 668\):/);
  });
});
