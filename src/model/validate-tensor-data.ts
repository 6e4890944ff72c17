/**
 * Checks the contents of encoded tensors, once, at read time, so that decoders and kernels may
 * index without bounds checks: scales finite and > 0, zero points in the code range, sparse row
 * pointers and column indices well formed, unused bits of packed streams zero.
 */
import { ModelFormatError } from '../errors.js';
import { sparseIndex, storedReader } from './decode-tensor.js';
import { blockGrid, codeRange, intBits, isPlainInt, packedBytes, rowsCols } from './encodings.js';
import type { TensorSpec } from './types.js';

function bad(at: string, message: string): never {
  throw new ModelFormatError(`model data: ${at}: ${message}`);
}

function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** Scales finite and > 0; zero points inside the `bits`-bit code range. */
function checkQuantization(spec: TensorSpec, bits: number, byName: Map<string, TensorSpec>, view: DataView, at: string): void {
  const scale = byName.get(spec.scale!)!;
  for (let i = 0; i < scale.shape[0]; i++) {
    const s = view.getFloat32(scale.offset + 4 * i, true);
    if (!(Number.isFinite(s) && s > 0)) bad(at, `scale "${scale.name}"[${i}] is ${s}; scales must be finite and > 0`);
  }
  if (spec.zeroPoint === undefined) return;
  const zeroPoint = byName.get(spec.zeroPoint)!;
  const [low, high] = codeRange(bits);
  for (let i = 0; i < zeroPoint.shape[0]; i++) {
    const z = view.getInt32(zeroPoint.offset + 4 * i, true);
    if (z < low || z > high) bad(at, `zero point "${zeroPoint.name}"[${i}] is ${z}, outside the ${bits}-bit code range [${low}, ${high}]`);
  }
}

/** The bits after `codes` `bits`-bit codes in the last byte of a stream ending at `end` are zero. */
function checkPadding(view: DataView, end: number, codes: number, bits: number, at: string, where: string): void {
  const used = (codes * bits) % 8;
  if (used !== 0 && view.getUint8(end - 1) >> used !== 0) bad(at, `unused high bits of the last byte of ${where} are not zero`);
}

/** Stored block `i` at block row `R`, block column `C`: its elements outside the logical shape are zero. */
function checkBlockPadding(spec: TensorSpec, data: Uint8Array, i: number, R: number, C: number, at: string): void {
  const { rows, cols } = rowsCols(spec.shape);
  const [br, bc] = spec.block!;
  if ((R + 1) * br <= rows && (C + 1) * bc <= cols) return;
  const stored = storedReader(spec, data);
  for (let a = 0; a < br; a++) {
    for (let b = 0; b < bc; b++) {
      if ((R * br + a >= rows || C * bc + b >= cols) && stored((i * br + a) * bc + b) !== 0) {
        bad(at, `block ${i} (block row ${R}, block column ${C}) holds a non-zero value at [${a}, ${b}], outside the shape; ` +
          'the padding of a partial block must be zero');
      }
    }
  }
}

/**
 * Row pointers and strictly increasing in-range column indices of csr / block-sparse (8-bit deltas:
 * none walks past the last column); zero block padding.
 */
function checkSparseIndex(spec: TensorSpec, data: Uint8Array, at: string): void {
  const { blockRows: pointerRows, blockCols: columns } = blockGrid(spec);
  const unit = spec.dtype === 'csr' ? 'row' : 'block row';
  const index = sparseIndex(spec, data);
  const nnz = spec.nnz!;
  if (index.pointer(0) !== 0) bad(at, `rowPtr[0] is ${index.pointer(0)}, must be 0`);
  let start = 0;
  for (let r = 0; r < pointerRows; r++) {
    const end = index.pointer(r + 1);
    if (end < start || end > nnz) {
      bad(at, `rowPtr[${r + 1}] is ${end}: row pointers must be non-decreasing and at most nnz = ${nnz}`);
    }
    let previous = -1;
    for (let i = start; i < end; i++) {
      const c = index.column(i, previous);
      if (spec.indexBits === 8 && c >= columns) {
        bad(at, `column delta ${i} (${unit} ${r}) walks to column ${c}, past the last of ${columns} ${unit === 'row' ? 'columns' : 'block columns'}`);
      }
      if (c <= previous || c >= columns) {
        bad(at, `column index ${i} (${unit} ${r}) is ${c}: indices must be strictly increasing within a ${unit} and < ${columns}`);
      }
      previous = c;
      if (spec.dtype === 'block-sparse') checkBlockPadding(spec, data, i, r, c, at);
    }
    start = end;
  }
  if (start !== nnz) bad(at, `rowPtr[${pointerRows}] is ${start}; it must equal nnz = ${nnz}`);
}

/** Validates the bytes of `spec` (already checked for size and bounds) inside the data section. */
export function checkTensorData(spec: TensorSpec, byName: Map<string, TensorSpec>, data: Uint8Array, at: string): void {
  if (spec.dtype === 'f32' || isPlainInt(spec.dtype)) return;
  const view = viewOf(data);
  const bits = intBits(spec.dtype) ?? intBits(spec.values);
  if (bits !== undefined) checkQuantization(spec, bits, byName, view, at);
  if (intBits(spec.dtype) !== undefined) {
    const { rows, cols } = rowsCols(spec.shape);
    const rowBytes = packedBytes(cols, bits!);
    for (let r = 0; r < rows; r++) checkPadding(view, spec.offset + (r + 1) * rowBytes, cols, bits!, at, `row ${r}`);
    return;
  }
  checkSparseIndex(spec, data, at);
  if (spec.dtype === 'csr' && bits !== undefined) {
    checkPadding(view, spec.offset + spec.byteLength, spec.nnz!, bits, at, 'the value stream');
  }
}
