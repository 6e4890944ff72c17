/**
 * The `dense-int` / `gru-int` reader rules of docs/integer.md ("Model file"): each malformed
 * integer layer is a ModelFormatError naming what is wrong, and the TS writer reproduces the
 * Python-written golden integer model (training/quant/make_int_model_golden.py) byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../src/errors.js';
import { describeModel } from '../src/model/describe.js';
import type { TensorData } from '../src/model/encode-tensor.js';
import { intBits } from '../src/model/encodings.js';
import { readModel } from '../src/model/read.js';
import type { DenseIntLayer, GruIntLayer, IntDtype, LayerSpec, ModelHeader } from '../src/model/types.js';
import { assembleFile, writeModel } from '../src/model/write.js';
import { rejects } from './model-errors.js';

const bytes = new Uint8Array(readFileSync(join(process.cwd(), 'tests', 'fixtures', 'golden', 'int-model.thm')));
const model = readModel(bytes);

type Tensors = Record<string, TensorData>;

/** The golden model's tensors in writeModel's form, in file order. */
function tensorsOf(): Tensors {
  return Object.fromEntries(model.header.tensors.map((t): [string, TensorData] => {
    if (intBits(t.dtype) !== undefined) {
      return [t.name, { dtype: t.dtype as IntDtype, shape: t.shape, codes: model.intCodes(t.name), scale: t.scale! }];
    }
    if (t.dtype === 'i32') return [t.name, { dtype: 'i32', shape: t.shape, data: model.int32(t.name) }];
    return [t.name, { shape: t.shape, data: model.tensor(t.name) }];
  }));
}

/** Sets entry `index` of i32 tensor `name` in the edited file's data section. */
type SetI32 = (name: string, index: number, value: number) => void;

/** The golden model with `edit` applied to a copy of its header (layers by name) and data section. */
function edited(edit: (layers: Record<string, Record<string, unknown>>, setI32: SetI32, header: ModelHeader) => void): Uint8Array {
  const header = JSON.parse(JSON.stringify(model.header)) as ModelHeader;
  const dataStart = 16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const data = bytes.slice(dataStart, bytes.length - 4);
  const setI32: SetI32 = (name, index, value) => {
    const offset = header.tensors.find((t) => t.name === name)!.offset;
    new DataView(data.buffer).setInt32(offset + 4 * index, value, true);
  };
  edit(Object.fromEntries(header.layers.map((l) => [l.name, l as unknown as Record<string, unknown>])), setI32, header);
  return assembleFile(JSON.stringify(header), data);
}

const quant = (layer: Record<string, unknown>): Record<string, unknown> => layer.quant as Record<string, unknown>;

test('the TS writer reproduces the Python-written integer model byte for byte', () => {
  const { tensors: _omit, ...header } = model.header;
  expect(Buffer.from(writeModel(header, tensorsOf())).equals(Buffer.from(bytes))).toBe(true);
});

test('the reader types integer layers; intCodes and int32 give codes and i32 values; info shows bit widths', () => {
  const fc = model.header.layers[0] as DenseIntLayer;
  const gru = model.header.layers[1] as GruIntLayer;
  expect([fc.op, gru.op, fc.quant.inputBits, fc.quant.invInputScale]).toEqual(['dense-int', 'gru-int', 16, Math.fround(1 / fc.quant.inputScale!)]);
  const codes = model.intCodes(fc.weight);
  expect(codes).toHaveLength(16 * 161);
  expect(Math.max(...codes.map(Math.abs))).toBeLessThanOrEqual(7); // int4, symmetric
  expect(model.int32(gru.shift).every((s) => s >= 1 && s <= 62)).toBe(true);
  expect(() => model.intCodes(fc.bias)).toThrow(ModelFormatError);
  expect(() => model.int32(fc.weight)).toThrow(ModelFormatError);
  const info = describeModel(model);
  expect(info).toContain('fc_in: dense-int features → 16 relu');
  expect(info).toContain('bits: w 4 input 16 bias 32 out 8');
  expect(info).toContain('bits: ir 5 iz 4 in 6 hr 8 hz 3 hn 7 input 8 bias 32 pre r/z/n 12/16/10 table 8/10/10 out r/z/n 8/12/10 h 16');
});

test.each<[string, Parameters<typeof edited>[0], RegExp]>([
  ['a float layer reading an integer layer', (l) => {
    Object.assign(l['exit0.anc'], { op: 'dense', weight: 'exit0.anc.weight', bias: 'exit0.anc.weight.scale' });
  }, /exit0\.anc.*"features" or a float layer; "gru1" is an integer layer/],
  ['an integer layer reading a float layer', (_l, _t, h) => {
    h.layers.unshift({ name: 'float0', op: 'dense', input: 'features', in: 161, out: 16, activation: 'relu',
      weight: 'fc_in.weight', bias: 'fc_in.weight.scale' } as LayerSpec);
    (h.layers[2] as GruIntLayer).input = 'float0';
  }, /gru1.*"float0" is a float layer/],
  ['invInputScale other than f32(1 / inputScale)', (l) => { quant(l.fc_in).invInputScale = 1 / (quant(l.fc_in).inputScale as number); },
    /invInputScale: expected f32\(1 \/ inputScale\)/],
  ['an inputScale that is not an f32', (l) => { quant(l.fc_in).inputScale = 0.1; }, /inputScale: expected an f32 value/],
  ['a layer reading "features" without inputBits', (l) => { delete quant(l.fc_in).inputBits; }, /inputBits/],
  ['input fields on a layer that does not read "features"', (l) => { quant(l.gru1).inputBits = 8; },
    /gru1.*inputBits: expected no value: only a layer reading "features"/],
  ['a bias outside biasBits', (l) => { quant(l.fc_in).biasBits = 8; }, /fc_in.*bias: expected a 8-bit code in every entry/],
  ['a row whose accumulator can overflow int32', (_l, set) => set('fc_in.bias', 3, 2 ** 31 - 1),
    /fc_in.*weight: expected rows whose int32 accumulator cannot overflow at 16-bit inputs.*row 3/],
  ['a GRU hidden row that can overflow', (_l, set) => set('gru1.biasHh', 16 + 5, 2 ** 31 - 1),
    /gru1.*weights\.hz: expected rows whose int32 accumulator cannot overflow at 16-bit inputs.*row 5/],
  ['a negative multiplier', (_l, set) => set('exit0.mask.multiplier', 0, -1), /exit0\.mask.*multiplier: expected a Q31 multiplier ≥ 0/],
  ['a shift of 63', (_l, set) => set('gru1.shift', 40, 63), /gru1.*shift: expected a shift from 1 to 62.*entry 40 is 63/],
  ['a table of the wrong size', (l) => { quant(l['exit0.mask']).tableBits = 9; }, /exit0\.mask.*table: expected tensor "exit0\.mask\.table" of shape \[512\]/],
  ['a sigmoid table entry below 0', (_l, set) => set('gru1.tableR', 0, -1), /gru1.*tables\.r: expected a sigmoid code of 8 bits \(0…127\)/],
  ['a tanh table entry past the output range', (_l, set) => set('gru2.tableN', 7, 2 ** 15), /gru2.*tables\.n: expected a tanh code of 16 bits/],
  ['table bits over the pre-activation bits', (l) => { (quant(l.gru1).tableBits as Record<string, number>).n = 11; },
    /gru1.*tableBits\.n: expected an integer from 1 to 10/],
  ['a sigmoid layer whose outputScale is not 2^−(Bo−1)', (l) => { quant(l['exit1.mask']).outputScale = 0.001; },
    /exit1\.mask.*outputScale: expected 2\^−\(outputBits−1\)/],
  ['a relu layer with a table', (l) => { l.fc_in.table = 'exit0.mask.table'; }, /fc_in.*table: expected null/],
  ['a sigmoid layer without preBits', (l) => { quant(l['presence.out']).preBits = null; }, /presence\.out.*preBits: expected an integer from 2 to 16/],
  ['a bias that is not i32', (l) => { l.fc_in.bias = 'fc_in.weight.scale'; }, /fc_in.*bias: expected an integer array \(i32, i16, i8 or u8\)/],
  ['a weight that is not packed integers', (l) => { (l.gru1.weights as Record<string, string>).hr = 'gru1.shift'; },
    /gru1.*weights\.hr: expected tensor "gru1\.shift" of shape \[16,16\]/],
  ['a GRU without tables', (l) => { delete l.gru2.tables; }, /gru2.*tables: expected an object/],
  ['output bits of 17', (l) => { (quant(l.gru2).bits as Record<string, number>).h = 17; }, /gru2.*bits\.h: expected an integer from 2 to 16/],
])('%s is a ModelFormatError', (_name, edit, message) => {
  rejects(edited(edit), message);
});
