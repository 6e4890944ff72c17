/** tests/fixtures/format/python-encoded.thm (written by make.py), its inputs as `writeModel` takes them, and edits of its bytes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../src/model/crc32.js';
import { isPlainInt } from '../src/model/encodings.js';
import { readModel } from '../src/model/read.js';
import type { ModelHeader, PlainIntDtype } from '../src/model/types.js';
import type { TensorData } from '../src/model/write.js';

export const FIXTURES = join(process.cwd(), 'tests/fixtures/format');

export interface EncodedInputs {
  header: Omit<ModelHeader, 'tensors'>;
  tensors: Record<string, Record<string, unknown> & { shape: number[] }>;
  decoded: Record<string, number[]>;
}

export const inputs = JSON.parse(readFileSync(join(FIXTURES, 'encoded-inputs.json'), 'utf8')) as EncodedInputs;

/** The JSON fixture's tensors as `writeModel` takes them (typed arrays for dense data). */
export function tensorData(): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const [name, t] of Object.entries(inputs.tensors)) {
    if (t.dtype === undefined) out[name] = { shape: t.shape, data: Float32Array.from(t.data as number[]) };
    else if (isPlainInt(t.dtype as string)) out[name] = { dtype: t.dtype as PlainIntDtype, shape: t.shape, data: Int32Array.from(t.data as number[]) };
    else out[name] = t as unknown as TensorData;
  }
  return out;
}

/** The Python-written fixture's bytes. */
export const pythonEncoded = new Uint8Array(readFileSync(join(FIXTURES, 'python-encoded.thm')));

/** Where a model file's tensor data starts (after the 16-byte prefix and the JSON header). */
export function dataStartOf(file: Uint8Array): number {
  return 16 + new DataView(file.buffer, file.byteOffset).getUint32(12, true);
}

/** The fixture with tensor `name`'s bytes changed by `edit` (a DataView over the tensor; CRC recomputed). */
export function withData(name: string, edit: (view: DataView) => void): Uint8Array {
  const file = pythonEncoded.slice();
  const spec = readModel(pythonEncoded).header.tensors.find((t) => t.name === name)!;
  edit(new DataView(file.buffer, dataStartOf(file) + spec.offset, spec.byteLength));
  new DataView(file.buffer).setUint32(file.length - 4, crc32(file.subarray(0, file.length - 4)), true);
  return file;
}
