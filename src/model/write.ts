/** `writeModel`: lays out a `.thm` file (docs/model-format.md) from a header and tensors in any encoding. */
import { canonicalHeaderJson } from './canonical.js';
import { crc32 } from './crc32.js';
import { encodeTensor, type TensorData } from './encode-tensor.js';
import { alignUp, CRC_BYTES, MAGIC, PREFIX_BYTES } from './layout.js';
import { readModel } from './read.js';
import { encodeUtf8 } from './utf8.js';
import type { FormatVersion, ModelHeader, TensorSpec } from './types.js';
import { requiredVersion } from './version.js';

export type { TensorData } from './encode-tensor.js';

/**
 * Frames a header text and a data section: prefix (format `version`), header padded with spaces to
 * the 64-byte boundary, data, CRC-32. Checks nothing; `writeModel` is the validating entry point.
 */
export function assembleFile(headerJson: string, data: Uint8Array, version: FormatVersion = 1): Uint8Array {
  const header = encodeUtf8(headerJson);
  const dataStart = alignUp(PREFIX_BYTES + header.length);
  const file = new Uint8Array(dataStart + data.length + CRC_BYTES);
  const view = new DataView(file.buffer);
  file.set(MAGIC, 0);
  view.setUint32(8, version, true);
  view.setUint32(12, dataStart - PREFIX_BYTES, true);
  file.fill(0x20, PREFIX_BYTES, dataStart);
  file.set(header, PREFIX_BYTES);
  file.set(data, dataStart);
  view.setUint32(file.length - CRC_BYTES, crc32(file.subarray(0, file.length - CRC_BYTES)), true);
  return file;
}

/**
 * Writes a model file: tensors are stored in their encodings (`TensorData`: f32 by default) in
 * the order given, each at the next 64-byte boundary, and listed in the header's `tensors` table.
 * The file's version (header and prefix) is the lowest that holds its encodings, whatever
 * `header.version` says. The result is validated with `readModel`, so a header that does not
 * match its tensors, or an encoded tensor that is malformed, throws `ModelFormatError`.
 */
export function writeModel(header: Omit<ModelHeader, 'tensors'>, tensors: Record<string, TensorData>): Uint8Array {
  const encoded = Object.entries(tensors).map(([name, data]) => encodeTensor(name, data));
  const specs: TensorSpec[] = [];
  let end = 0;
  for (const { spec } of encoded) {
    const offset = alignUp(end);
    specs.push({ ...spec, offset } as TensorSpec);
    end = offset + spec.byteLength;
  }
  const section = new Uint8Array(end);
  encoded.forEach(({ bytes }, i) => section.set(bytes, specs[i].offset));
  const version = requiredVersion(specs);
  const file = assembleFile(canonicalHeaderJson({ ...header, version, tensors: specs } as ModelHeader), section, version);
  readModel(file);
  return file;
}
