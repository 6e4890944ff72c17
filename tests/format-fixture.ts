/** The inputs of tests/fixtures/format/python-encoded.thm (written by make.py) as `writeModel` takes them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainInt } from '../src/model/encodings.js';
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
