/**
 * The WASM core: instantiated synchronously from the embedded module bytes (works in Node,
 * bundlers and AudioWorklets), with typed exports and views over its memory. Pointers are byte
 * offsets into `memory`; see docs/internals.md ("WASM core") for each kernel's contract.
 */
import { TinyhushError } from '../errors.js';
import { decodeBase64 } from './base64.js';
import { CORE_RELAXED_WASM_BASE64, CORE_WASM_BASE64 } from './core-wasm.generated.js';

/**
 * The two builds of the WASM core: `'simd'` runs everywhere WebAssembly SIMD does; `'relaxed-simd'`
 * adds fused multiply-add (Chrome 114+ and Node 22+; Node 20 only with
 * `--experimental-wasm-relaxed-simd`). Outputs agree to float rounding, not bit for bit.
 */
export type CoreBuild = 'simd' | 'relaxed-simd';

/** Which build to load: `'auto'` (default) takes relaxed SIMD where the runtime validates it. */
export type CoreBuildChoice = CoreBuild | 'auto';

/** Activation codes taken by `dense`, `denseMasked`, `dwConvStep` and `activate`. */
export const Activation = { none: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;

/** The kernels exported by assembly/index.ts. All pointers are byte offsets into `memory`. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  /** Bump allocation (zeroed, never freed); 0 when out of memory or `align` is not a power of two. */
  alloc(bytes: number, align: number): number;
  resetCounters(): void;
  macCount(): number;
  weightBytesRead(): number;
  /** Real FFT plan for even n with n/2 = 2^a·3^b·5^c; 0 when unsupported. */
  fftPlan(n: number): number;
  rfft(plan: number, input: number, outComplex: number): void;
  irfft(plan: number, inComplex: number, out: number): void;
  /** sqrt-Hann STFT with win = 2·hop; 0 when unsupported. */
  stftCreate(win: number, hop: number): number;
  stftAnalyze(st: number, hopIn: number, specOut: number): void;
  stftSynthesize(st: number, specIn: number, hopOut: number): void;
  stftReset(st: number): void;
  logPower(spec: number, out: number, bins: number): void;
  applyMask(spec: number, mask: number, bins: number): void;
  resamplerCreate(inRate: number, outRate: number): number;
  resamplerProcess(rs: number, input: number, inLen: number, out: number): number;
  resamplerMaxOut(rs: number, inLen: number): number;
  resamplerDelay(rs: number): number;
  resamplerReset(rs: number): void;
  /** High band above the model's 8 kHz (assembly/highband.ts, docs/fullband.md); 0 when out of memory. */
  highbandCreate(rate: number, delay: number, outDelay: number, maxLag: number): number;
  highbandReset(hb: number): void;
  highbandPush(hb: number, input: number, n: number): void;
  highbandGain(hb: number, spectrum: number, mask: number, from: number, to: number): number;
  highbandMix(hb: number, out: number, ref: number, n: number): void;
  dense(out: number, W: number, x: number, bias: number, rows: number, cols: number, act: number): void;
  denseScalar(out: number, W: number, x: number, bias: number, rows: number, cols: number, act: number): void;
  denseMasked(out: number, W: number, x: number, bias: number, rows: number, cols: number, act: number,
    rowMask: number, colMask: number): void;
  /** `Wt` is the transposed weight `[cols, rows]`; skipped columns (u8 `colMask` 0) are never read. */
  denseColsMasked(out: number, Wt: number, x: number, bias: number, rows: number, cols: number, act: number,
    colMask: number): void;
  gruStep(h: number, x: number, Wih: number, Whh: number, bih: number, bhh: number,
    inSize: number, hidden: number, scratch: number): void;
  /** Wt is tap-major `[kernel, channels]`; `state` holds `dwConvStateLength(...)` f32. */
  dwConvStep(out: number, x: number, state: number, Wt: number, bias: number, channels: number,
    kernel: number, dilation: number, act: number, chMask: number): void;
  dwConvStateLength(channels: number, kernel: number, dilation: number): number;
  /** Runs a frame program the engine compiled (`featuresIn` 0: continue the frame). */
  runProgram(program: number, featuresIn: number, maskOut: number, frame: number): void;
  /** STFT analysis of one hop, then the log-power features of its `bins` bins. */
  analyzeHop(st: number, hopIn: number, spectrum: number, features: number, bins: number): void;
  /**
   * Zeroes non-finite mask gains, masks the spectrum, synthesizes one hop (zeroing non-finite
   * samples); returns how many mask gains were non-finite.
   */
  synthesizeHop(st: number, spectrum: number, mask: number, bins: number, hopOut: number): number;
  activate(ptr: number, n: number, act: number): void;
  vecAdd(out: number, a: number, b: number, n: number): void;
  vecCopy(out: number, a: number, n: number): void;
  vecFill(out: number, value: number, n: number): void;
  sanitize(ptr: number, n: number): number;
  ceilingKernel(ptr: number, n: number, reps: number): number;
}

/** An instantiated core with helpers for typed views and allocation. */
export interface Core {
  /** The build this instance runs. */
  readonly build: CoreBuild;
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  /** A Float32Array view of `n` f32 at byte offset `ptr` (valid until memory grows). */
  f32(ptr: number, n: number): Float32Array;
  /** A Uint8Array view of `n` bytes at byte offset `ptr` (valid until memory grows). */
  u8(ptr: number, n: number): Uint8Array;
  /** Allocates `n` zeroed f32 (16-byte aligned); returns the byte offset. */
  allocF32(n: number): number;
  /** Allocates `n` zeroed bytes (64-byte aligned, as model tensors are); returns the byte offset. */
  allocU8(n: number): number;
  /** Copies `data` into memory at byte offset `ptr`. */
  writeF32(ptr: number, data: ArrayLike<number>): void;
  /** Copies `data` (as i32) into memory at byte offset `ptr`. */
  writeI32(ptr: number, data: ArrayLike<number>): void;
  /** A Float32Array over the whole memory, current (hot-path access: index `ptr >>> 2`, no allocation). */
  heapF32(): Float32Array;
  /** An Int32Array over the whole memory, current (index `ptr >>> 2`). */
  heapI32(): Int32Array;
}

const BASE64: Record<CoreBuild, string> = { 'simd': CORE_WASM_BASE64, 'relaxed-simd': CORE_RELAXED_WASM_BASE64 };
const modules = new Map<CoreBuild, WebAssembly.Module>();
let relaxedSupported: boolean | undefined;

/** True when this runtime runs the relaxed-SIMD build (checked once per realm). */
export function relaxedSimdSupported(): boolean {
  relaxedSupported ??= WebAssembly.validate(decodeBase64(CORE_RELAXED_WASM_BASE64));
  return relaxedSupported;
}

/** Compiles an embedded build once per realm; each `createCore` call gets its own instance. */
function coreModule(build: CoreBuild): WebAssembly.Module {
  let module = modules.get(build);
  if (module === undefined) {
    module = new WebAssembly.Module(decodeBase64(BASE64[build]));
    modules.set(build, module);
  }
  return module;
}

/**
 * Instantiates a fresh WASM core synchronously (own memory, counters and allocations).
 * @throws TinyhushError `UNSUPPORTED_RUNTIME` when `'relaxed-simd'` is asked for and this runtime lacks it.
 */
export function createCore(choice: CoreBuildChoice = 'auto'): Core {
  const build: CoreBuild = choice === 'auto' ? (relaxedSimdSupported() ? 'relaxed-simd' : 'simd') : choice;
  if (build === 'relaxed-simd' && !relaxedSimdSupported()) {
    throw new TinyhushError('UNSUPPORTED_RUNTIME',
      "this runtime cannot run the relaxed-SIMD build (Node 20 needs --experimental-wasm-relaxed-simd); use 'simd' or 'auto'");
  }
  // The module imports nothing: it is built with --noAssert and the stub runtime.
  const instance = new WebAssembly.Instance(coreModule(build), {});
  const exports = instance.exports as unknown as CoreExports;
  const memory = exports.memory;
  let buffer = memory.buffer;
  let f32View = new Float32Array(buffer);
  let i32View = new Int32Array(buffer);
  let u8View = new Uint8Array(buffer);
  // A grown memory detaches old views: rebuild when the buffer object changed (identity, not
  // instanceof, which fails across realms such as Jest's VM contexts).
  const refresh = (): void => {
    if (memory.buffer !== buffer) {
      buffer = memory.buffer;
      f32View = new Float32Array(buffer);
      i32View = new Int32Array(buffer);
      u8View = new Uint8Array(buffer);
    }
  };
  const allocate = (bytes: number, align: number): number => {
    const ptr = exports.alloc(bytes, align);
    if (ptr === 0) {
      throw new TinyhushError('OUT_OF_MEMORY',
        `tinyhush WASM core could not allocate ${bytes} bytes (memory is ${memory.buffer.byteLength} bytes, limit 4 GiB)`);
    }
    return ptr;
  };
  return {
    build,
    exports,
    memory,
    f32(ptr, n) {
      refresh();
      return f32View.subarray(ptr >>> 2, (ptr >>> 2) + n);
    },
    u8(ptr, n) {
      refresh();
      return u8View.subarray(ptr, ptr + n);
    },
    allocF32: (n) => allocate(n * 4, 16),
    allocU8: (n) => allocate(n, 64),
    writeF32(ptr, data) {
      refresh();
      f32View.set(data, ptr >>> 2);
    },
    writeI32(ptr, data) {
      refresh();
      i32View.set(data, ptr >>> 2);
    },
    heapF32() {
      refresh();
      return f32View;
    },
    heapI32() {
      refresh();
      return i32View;
    },
  };
}
