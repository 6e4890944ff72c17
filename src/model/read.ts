/**
 * `readModel`: parses and validates a `.thm` file. Every size and offset is checked before any
 * tensor byte is touched, so a truncated or corrupt file is a `ModelFormatError`, never a crash.
 */
import { ModelFormatError } from '../errors.js';
import { crc32 } from './crc32.js';
import { decodeCodes, decodeI32, decodeTensor } from './decode-tensor.js';
import { intBits, isPlainInt } from './encodings.js';
import { checkJsonBounds } from './json-bounds.js';
import { LIMITS } from './limits.js';
import { ALIGNMENT, CRC_BYTES, MAGIC, PREFIX_BYTES } from './layout.js';
import { decodeUtf8 } from './utf8.js';
import { validateHeader } from './validate-header.js';
import type { FormatVersion, Model, ModelHeader, TensorSpec } from './types.js';
import { FORMAT_VERSIONS } from './version.js';

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** Checks the fixed prefix and the CRC; returns where the header and the data section lie. */
function checkFrame(bytes: Uint8Array): { version: FormatVersion; dataStart: number; dataLength: number } {
  const size = bytes.length;
  if (size > LIMITS.fileBytes) {
    throw new ModelFormatError(`model file is ${size} bytes; the limit is ${LIMITS.fileBytes}`);
  }
  if (size < PREFIX_BYTES + CRC_BYTES) {
    throw new ModelFormatError(`model file truncated: ${size} bytes; even an empty model has ${PREFIX_BYTES + CRC_BYTES}`);
  }
  if (MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ModelFormatError('not a tinyhush model: the file must start with the 8 bytes "TINYHUSH"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const version = view.getUint32(8, true);
  if (!FORMAT_VERSIONS.includes(version as FormatVersion)) {
    throw new ModelFormatError(`model format version ${version} is not supported; this reader supports versions ${FORMAT_VERSIONS.join(' and ')}`);
  }
  const headerLength = view.getUint32(12, true);
  if (headerLength > LIMITS.headerBytes) {
    throw new ModelFormatError(`header length ${headerLength} is over the limit of ${LIMITS.headerBytes} bytes`);
  }
  const dataStart = PREFIX_BYTES + headerLength;
  if (dataStart % ALIGNMENT !== 0) {
    throw new ModelFormatError(`header length ${headerLength} is invalid: 16 + header length must be a multiple of ${ALIGNMENT}`);
  }
  if (dataStart + CRC_BYTES > size) {
    throw new ModelFormatError(`header length ${headerLength} runs past the end of the ${size}-byte file (truncated?)`);
  }
  const stored = view.getUint32(size - CRC_BYTES, true);
  const computed = crc32(bytes.subarray(0, size - CRC_BYTES));
  if (stored !== computed) {
    throw new ModelFormatError(`model file corrupt or truncated: CRC-32 is ${hex(computed)}, the file says ${hex(stored)}`);
  }
  return { version: version as FormatVersion, dataStart, dataLength: size - CRC_BYTES - dataStart };
}

function parseHeaderJson(bytes: Uint8Array): unknown {
  checkJsonBounds(bytes);
  const text = decodeUtf8(bytes);
  if (text === null) throw new ModelFormatError('model header is not valid UTF-8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`model header is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Parses a model file and validates every field, tensor (encoded contents included), layer, exit
 * and gate, and the limits (docs/model-format.md, "Limits": header size, JSON depth and strings,
 * layer sizes, the engine memory the model needs). Throws `ModelFormatError` naming what is wrong.
 */
export function readModel(bytes: Uint8Array): Model {
  const { version, dataStart, dataLength } = checkFrame(bytes);
  const data = bytes.subarray(dataStart, dataStart + dataLength);
  const header: ModelHeader = validateHeader(parseHeaderJson(bytes.subarray(PREFIX_BYTES, dataStart)), data, version);
  const tensors = new Map(header.tensors.map((t) => [t.name, t]));
  const spec = (name: string): TensorSpec => {
    const found = tensors.get(name);
    if (found === undefined) {
      throw new ModelFormatError(`model "${header.name}" has no tensor "${name}"; it has: ${[...tensors.keys()].join(', ')}`);
    }
    return found;
  };
  const ofDtype = (name: string, what: string, ok: (t: TensorSpec) => boolean): TensorSpec => {
    const found = spec(name);
    if (!ok(found)) throw new ModelFormatError(`tensor "${name}" of model "${header.name}" is ${found.dtype}, not ${what}`);
    return found;
  };
  return {
    header,
    bytes,
    tensor: (name) => decodeTensor(spec(name), tensors, data),
    intCodes: (name) => decodeCodes(ofDtype(name, 'int2…int8 or sparse of int2…int8 values',
      (t) => (intBits(t.dtype) ?? intBits(t.values)) !== undefined), data),
    int32: (name) => decodeI32(ofDtype(name, 'an integer array (i32, i16, i8 or u8)', (t) => isPlainInt(t.dtype)), data),
    tensorBytes: (name) => {
      const { offset, byteLength } = spec(name);
      return data.subarray(offset, offset + byteLength);
    },
  };
}
