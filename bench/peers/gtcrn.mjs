/**
 * GTCRN (Rong Xiaobin, MIT) as bundled in `@sapphi-red/web-noise-suppressor` (`gtcrn.wasm`),
 * 16 kHz entry, instantiated directly in Node. Export names are minified; the mapping follows
 * the package's `dist/gtcrn/workletProcessor.js`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { float32View, heapResizer } from './emscripten-heap.mjs';

const FRAME = 256;
/** Compiled once per process; every `create()` instantiates it with its own memory. */
let compiled;
const wasmPath = createRequire(import.meta.url).resolve('@sapphi-red/web-noise-suppressor/gtcrn.wasm');

/** @type {import('./peer.js').Peer} */
export default {
  id: 'gtcrn',
  name: 'GTCRN (sapphi-red wasm)',
  sampleRate: 16000,
  frameSize: FRAME,
  delaySamples: 256,
  inputScale: 1,
  macsPerSecond: { value: 33.0e6, source: 'published: Rong et al., ICASSP 2024 (33.0 MMACs/s)' },
  async create() {
    let memory;
    const imports = {
      a: {
        a: () => {
          throw new Error('GTCRN: assertion failed inside the wasm module');
        },
        b: heapResizer(() => memory),
      },
    };
    compiled ??= await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(compiled, imports);
    const { c: mem, d: callCtors, e: create, f: free, g: destroy, i: process16k, k: malloc } = instance.exports;
    memory = mem;
    callCtors();
    const state = create();
    const inPtr = malloc(FRAME * 4);
    const outPtr = malloc(FRAME * 4);
    if (!state || !inPtr || !outPtr) throw new Error('GTCRN: could not allocate its state or frame buffers');
    const heap = float32View(memory);
    return {
      processFrame(input) {
        heap().set(input, inPtr >> 2);
        process16k(state, inPtr, outPtr);
        return heap().slice(outPtr >> 2, (outPtr >> 2) + FRAME);
      },
      memoryBytes: () => memory.buffer.byteLength,
      dispose() {
        free(inPtr);
        free(outPtr);
        destroy(state);
      },
    };
  },
};
