/** Section 4 of the report: what machine and runtime the figures come from. */
import { cpus, totalmem, platform, release, arch } from 'node:os';

/** Smallest module with an f32x4 op: validates where WebAssembly SIMD is on. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
/** Same with `f32x4.relaxed_madd` (0xfd 0x105): validates where relaxed SIMD is on. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11,
]);

/**
 * @returns {{ cpuModel: string, logicalCores: number, memoryGiB: number, os: string, node: string,
 *   v8: string, wasmSimd: boolean, wasmRelaxedSimd: boolean, nodeFlags: string[] }}
 */
export function describeMachine() {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    logicalCores: cores.length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    wasmSimd: WebAssembly.validate(SIMD_PROBE),
    wasmRelaxedSimd: WebAssembly.validate(RELAXED_SIMD_PROBE),
    nodeFlags: process.execArgv,
  };
}
