/** The tensor part of `tinyhush info`: each tensor's encoding, bit width, sparsity and bytes, then totals. */
import { blockGrid, elementCount, intBits } from './encodings.js';
import type { TensorSpec } from './types.js';

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)} %`;

/** "int4 per-row scale, zero point", "csr of int8, nnz 22 of 48 (54.2 % sparse), 16-bit indices", … */
export function encodingText(t: TensorSpec, byName: Map<string, TensorSpec>): string {
  const quantization = (): string => {
    if (t.scale === undefined) return '';
    const perRow = byName.get(t.scale)!.shape[0] > 1 ? 'per-row' : 'per-tensor';
    return `, ${perRow} scale${t.zeroPoint === undefined ? '' : ' and zero point'}`;
  };
  const bits = intBits(t.dtype) ?? intBits(t.values);
  const width = bits === undefined ? '' : ` (${bits}-bit)`;
  if (t.dtype !== 'csr' && t.dtype !== 'block-sparse') return `${t.dtype}${width}${quantization()}`;
  const [br, bc] = t.block ?? [1, 1];
  const { blockRows, blockCols } = blockGrid(t);
  const capacity = blockRows * blockCols;
  const unit = t.dtype === 'csr' ? '' : ` blocks ${br}×${bc},`;
  return `${t.dtype} of ${t.values}${width}${quantization()},${unit} nnz ${t.nnz} of ${capacity} ` +
    `(${percent(capacity - t.nnz!, capacity)} sparse), ${t.indexBits === 8 ? '8-bit delta' : `${t.indexBits}-bit`} indices` +
    (t.rowPtrBits === 16 ? ', 16-bit row pointers' : '');
}

/** One line per tensor and a totals line: stored bytes, what dense f32 would take, bytes by encoding. */
export function describeTensors(tensors: TensorSpec[]): string[] {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const stored = tensors.reduce((sum, t) => sum + t.byteLength, 0);
  const dense = tensors.reduce((sum, t) => sum + 4 * elementCount(t.shape), 0);
  const byEncoding = new Map<string, number>();
  for (const t of tensors) {
    const key = t.values === undefined ? t.dtype : `${t.dtype} of ${t.values}`;
    byEncoding.set(key, (byEncoding.get(key) ?? 0) + t.byteLength);
  }
  const split = [...byEncoding].map(([key, bytes]) => `${key} ${bytes}`).join(', ');
  return [
    `tensors (${tensors.length}, ${stored} bytes, ${percent(stored, dense)} of dense f32's ${dense}; by encoding: ${split}):`,
    ...tensors.map((t) => `  ${t.name}: [${t.shape}] ${encodingText(t, byName)}, ${t.byteLength} bytes at +${t.offset}`),
  ];
}
