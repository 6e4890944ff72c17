/**
 * The float engine loads encoded tensors by expanding them to f32 at load: a csr or block-sparse
 * re-encoding of a golden model (f32 values) denoises bit for bit like the f32 file, and an int8
 * re-encoding like it up to the quantization error.
 */
import { createDenoiser } from '../src/denoiser.js';
import { quantizeSymmetric, toSparse } from '../src/model/encode-dense.js';
import { readModel } from '../src/model/read.js';
import type { Model } from '../src/model/types.js';
import { writeModel, type TensorData } from '../src/model/write.js';
import { loadGolden, maxAbsDiff } from './engine-fixtures.js';

type Encode = (name: string, values: Float32Array, shape: number[]) => Record<string, TensorData>;

/** `model` with every tensor re-encoded by `encode` (which may add companions). */
function reencode(model: Model, encode: Encode): Uint8Array {
  const tensors: Record<string, TensorData> = {};
  for (const spec of model.header.tensors) Object.assign(tensors, encode(spec.name, model.tensor(spec.name), spec.shape));
  const { tensors: _, ...header } = model.header;
  return writeModel(header, tensors);
}

const int8: Encode = (name, values, shape) => {
  const { codes, scale } = quantizeSymmetric(values, shape, 8, shape.length > 1);
  return { [name]: { dtype: 'int8', shape, codes, scale: `${name}.scale` }, [`${name}.scale`]: { shape: [scale.length], data: scale } };
};

/** Matrices as csr (block [1, 1]) or block-sparse (4 × 4 where the shape allows) with f32 values. */
const sparse = (dtype: 'csr' | 'block-sparse'): Encode => (name, values, shape) => {
  if (shape.length !== 2) return { [name]: { shape, data: values } };
  const [rows, cols] = shape as [number, number];
  const block: [number, number] = dtype === 'csr' ? [1, 1] : [rows % 4 === 0 ? 4 : 1, cols % 4 === 0 ? 4 : 1];
  const pruned = values.map((x, i) => (i % 3 === 0 ? 0 : x)); // some zeros for the encodings to skip
  return { [name]: { dtype, shape: [rows, cols], valueDtype: 'f32', indexBits: 16, ...(dtype === 'block-sparse' && { block }), ...toSparse(pruned, [rows, cols], block) } };
};

/** The same matrices pruned as `sparse` prunes them, stored dense f32. */
const prunedDense: Encode = (name, values, shape) => ({
  [name]: { shape, data: shape.length === 2 ? values.map((x, i) => (i % 3 === 0 ? 0 : x)) : values },
});

function denoise(bytes: Uint8Array, exit: number, input: Float32Array): Float32Array {
  return createDenoiser({ model: bytes, exit, sampleRate: 16000 }).process(input);
}

describe.each(['gru', 'conv'] as const)('%s golden model re-encoded', (kind) => {
  const golden = loadGolden(kind);
  const exits = golden.exits.map((_, i) => i);

  test.each(exits)('exit %i: csr and block-sparse (f32 values) give exactly the f32 output', (exit) => {
    const reference = denoise(reencode(golden.model, prunedDense), exit, golden.input);
    for (const dtype of ['csr', 'block-sparse'] as const) {
      const bytes = reencode(golden.model, sparse(dtype));
      expect(readModel(bytes).header.tensors.some((t) => t.dtype === dtype && t.nnz! > 0)).toBe(true);
      expect(denoise(bytes, exit, golden.input)).toEqual(reference);
    }
  });

  test.each(exits)('exit %i: int8 gives the f32 output up to the quantization error', (exit) => {
    const bytes = reencode(golden.model, int8);
    const tensorBytes = (b: Uint8Array): number => readModel(b).header.tensors.reduce((sum, t) => sum + t.byteLength, 0);
    expect(tensorBytes(bytes)).toBeLessThan(0.3 * tensorBytes(golden.bytes));
    const reference = denoise(golden.bytes, exit, golden.input);
    const quantized = denoise(bytes, exit, golden.input);
    const peak = Math.max(...reference.map(Math.abs));
    // Measured: 0.008–0.024 of the peak (per-row int8 weights, per-tensor int8 biases).
    const error = maxAbsDiff(quantized, reference) / peak;
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(0.05);
  });
});
