/**
 * Fuzz target for model files: parse (`readModel`), describe (`tinyhush info`), and when a file is
 * accepted, build a denoiser and run a few frames through every exit, so that sizes the reader
 * let through but the engine cannot handle surface as failures. Seeds: the golden models (the integer ones, dense and sparse, included), the
 * format fixtures (every tensor encoding) and small int8 / csr / block-sparse re-encodings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDenoiser } from '../../../src/denoiser.js';
import { crc32 } from '../../../src/model/crc32.js';
import { describeModel } from '../../../src/model/describe.js';
import { quantizeSymmetric, toSparse } from '../../../src/model/encode-dense.js';
import { blockGrid, tensorLayout } from '../../../src/model/encodings.js';
import { readModel } from '../../../src/model/read.js';
import type { Model } from '../../../src/model/types.js';
import { writeModel, type TensorData } from '../../../src/model/write.js';
import { editableModel } from '../../../src/prune/editable.js';
import { denseFile } from '../../../src/prune/write.js';
import type { FuzzTarget } from '../target.js';

const FIXTURES = join(process.cwd(), 'tests', 'fixtures');
const HOP = 160;
/** Three hops of a deterministic test signal. */
const INPUT = Float32Array.from({ length: 3 * HOP }, (_, i) => 0.3 * Math.sin(i * 0.07) + 0.05 * Math.sin(i * 1.3));

/** The golden conv model with matrices as int8, csr (int4 values, the writer's smallest indices) or block-sparse (f32): more encodings to mutate. */
function reencoded(): Uint8Array {
  const model = readModel(new Uint8Array(readFileSync(join(FIXTURES, 'golden', 'conv.thm'))));
  const tensors: Record<string, TensorData> = {};
  model.header.tensors.forEach((spec, i) => {
    const values = model.tensor(spec.name);
    const [rows, cols] = spec.shape;
    if (spec.shape.length !== 2 || i % 3 === 0) {
      tensors[spec.name] = { shape: spec.shape, data: values };
    } else if (i % 3 === 1) {
      const { codes, scale } = quantizeSymmetric(values, spec.shape, 4);
      tensors[`${spec.name}.scale`] = { shape: [scale.length], data: scale };
      tensors[spec.name] = { dtype: 'csr', shape: [rows, cols], valueDtype: 'int4', scale: `${spec.name}.scale`,
        ...toSparse(codes, [rows, cols]) };
    } else {
      const block: [number, number] = [rows % 2 === 0 ? 2 : 1, cols % 2 === 0 ? 2 : 1];
      tensors[spec.name] = { dtype: 'block-sparse', shape: [rows, cols], valueDtype: 'f32', indexBits: 32, block,
        ...toSparse(values.map((x) => (Math.abs(x) < 0.05 ? 0 : x)), [rows, cols], block) };
    }
  });
  const { tensors: _, ...header } = model.header;
  return writeModel(header, tensors);
}

function dataStart(bytes: Uint8Array): number {
  return 16 + new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(12, true);
}

export const modelTarget: FuzzTarget = {
  name: 'model',

  seeds: () => [
    ...['golden/conv.thm', 'golden/gru.thm', 'format/python-written.thm', 'format/python-encoded.thm']
      .map((path) => new Uint8Array(readFileSync(join(FIXTURES, path)))),
    reencoded(),
    ...['int-model.thm', 'int-sparse-model.thm'].map((file) => new Uint8Array(readFileSync(join(FIXTURES, 'golden', file)))),
    // The integer model rewritten with its integer arrays as i8 / u8 / i16 (format version 2).
    denseFile(editableModel(readModel(new Uint8Array(readFileSync(join(FIXTURES, 'golden', 'int-model.thm')))))),
  ],

  /** Version and header length, then per encoded tensor its first and last row pointers and indices, scales and zero points. */
  fields(bytes) {
    const fields: { offset: number; size: 1 | 2 | 4 | 8 }[] = [{ offset: 8, size: 4 }, { offset: 12, size: 4 }];
    let model: Model;
    try {
      model = readModel(bytes);
    } catch {
      return fields;
    }
    const base = dataStart(bytes);
    const byName = new Map(model.header.tensors.map((t) => [t.name, t]));
    for (const t of model.header.tensors) {
      const at = base + t.offset;
      if (t.dtype === 'csr' || t.dtype === 'block-sparse') {
        const pointers = blockGrid(t).blockRows + 1;
        const { indexStart } = tensorLayout(t);
        const pointer = ((t.rowPtrBits ?? 32) / 8) as 2 | 4;
        const width = (t.indexBits! / 8) as 1 | 2 | 4;
        fields.push({ offset: at, size: pointer }, { offset: at + pointer, size: pointer }, { offset: at + pointer * (pointers - 1), size: pointer });
        if (t.nnz! > 0) fields.push({ offset: at + indexStart, size: width }, { offset: at + indexStart + width * (t.nnz! - 1), size: width });
      }
      for (const companion of [t.scale, t.zeroPoint]) {
        const c = companion === undefined ? undefined : byName.get(companion);
        if (c !== undefined) fields.push({ offset: base + c.offset, size: 4 });
      }
    }
    return fields;
  },

  reseal(bytes) {
    if (bytes.length < 20) return bytes;
    const out = bytes.slice();
    new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
    return out;
  },

  run(bytes) {
    const model = readModel(bytes);
    describeModel(model);
    for (const { name } of model.header.tensors) model.tensor(name);
    const denoiser = createDenoiser({ model, sampleRate: 16000 });
    for (let exit = 0; exit < model.header.exits.length; exit++) {
      denoiser.setExit(exit);
      const output = denoiser.process(INPUT);
      if (output.length !== INPUT.length) throw new Error(`exit ${exit}: ${output.length} samples out for ${INPUT.length} in`);
    }
  },
};

export default modelTarget;
