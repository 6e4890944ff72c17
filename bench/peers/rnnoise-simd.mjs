/**
 * RNNoise with the xiph model, SIMD build by Shiguredo, as bundled in
 * `@sapphi-red/web-noise-suppressor` (`rnnoise_simd.wasm`), instantiated directly in Node.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { float32View, heapResizer } from './emscripten-heap.mjs';

const FRAME = 480;
/** Compiled once per process; every `create()` instantiates it with its own memory. */
let compiled;
const wasmPath = createRequire(import.meta.url).resolve('@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm');

/** @type {import('./peer.js').Peer} */
export default {
  id: 'rnnoise-simd',
  name: 'RNNoise SIMD (sapphi-red / Shiguredo)',
  sampleRate: 48000,
  frameSize: FRAME,
  delaySamples: 480,
  inputScale: 32768,
  // Original xiph model: dense 42→24, GRUs of 24, 48 and 96 units, dense 96→22 (87 k weights).
  macsPerSecond: {
    value: 8.7e6,
    source: 'estimate, weights of the 2017 xiph RNNoise network × 100 frames/s; FFT and pitch search not counted',
  },
  async create() {
    let memory;
    const env = {
      // Block body: returning the typed array would make the engine convert 16 MB to a number per call.
      emscripten_memcpy_big: (dest, src, n) => {
        new Uint8Array(memory.buffer).copyWithin(dest, src, src + n);
      },
      emscripten_resize_heap: heapResizer(() => memory),
      __assert_fail: () => {
        throw new Error('RNNoise SIMD: assertion failed inside the wasm module');
      },
    };
    compiled ??= await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(compiled, { env, wasi_snapshot_preview1: env });
    const wasm = instance.exports;
    memory = wasm.memory;
    wasm.emscripten_stack_init?.();
    wasm.__wasm_call_ctors();
    const state = wasm.rnnoise_create(0);
    const inPtr = wasm.malloc(FRAME * 4);
    const outPtr = wasm.malloc(FRAME * 4);
    if (!state || !inPtr || !outPtr) throw new Error('RNNoise SIMD: could not allocate its state or frame buffers');
    const heap = float32View(memory);
    return {
      processFrame(input) {
        heap().set(input, inPtr >> 2);
        wasm.rnnoise_process_frame(state, outPtr, inPtr);
        return heap().slice(outPtr >> 2, (outPtr >> 2) + FRAME);
      },
      memoryBytes: () => memory.buffer.byteLength,
      dispose() {
        wasm.rnnoise_destroy(state);
        wasm.free(inPtr);
        wasm.free(outPtr);
      },
    };
  },
};
