/**
 * Minimal host side for Emscripten-built wasm files meant for an AudioWorklet (no JS glue in Node):
 * the heap-resize import and float views that follow `memory.grow`.
 */

/** Returns `resizeHeap(bytes) → 1 | 0` for `memory`; Emscripten needs a number, not a boolean. */
export function heapResizer(getMemory) {
  return (requestedBytes) => {
    const memory = getMemory();
    const pages = Math.ceil((requestedBytes - memory.buffer.byteLength) / 65536);
    try {
      memory.grow(pages);
      return 1;
    } catch {
      return 0;
    }
  };
}

/** Float32 view of `memory` rebuilt only when a grow detached the previous one. */
export function float32View(memory) {
  let view = new Float32Array(memory.buffer);
  return () => {
    if (view.buffer !== memory.buffer) view = new Float32Array(memory.buffer);
    return view;
  };
}
