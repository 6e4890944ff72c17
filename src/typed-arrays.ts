/**
 * Typed-array checks that hold across realms (Jest VM contexts, worklets, Node Buffers), where
 * `instanceof` fails: the toStringTag of a typed array names its element type.
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && (value as Uint8Array)[Symbol.toStringTag] === 'Uint8Array';
}

export function isFloat32Array(value: unknown): value is Float32Array {
  return ArrayBuffer.isView(value) && (value as Float32Array)[Symbol.toStringTag] === 'Float32Array';
}
