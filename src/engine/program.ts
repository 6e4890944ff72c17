/**
 * Frame programs in WASM memory: the records `runProgram` (assembly/program.ts) walks. A layer list
 * is compiled once per state into i32 words: one state header shared by the state's programs, and
 * per program a header plus one step record per layer. The field order here is the order the
 * AssemblyScript classes declare; the engine tests catch any drift (every mask would be wrong).
 */
import type { Core } from '../wasm/core.js';

export const OP_DENSE = 0;
export const OP_DENSE_ROWS = 1; // gated expand: skipped channels are rows never computed
export const OP_DENSE_COLS = 2; // gated project: skipped channels are columns never read
export const OP_GRU = 3;
export const OP_DWCONV = 4;
export const OP_ADD = 5;
export const OP_DENSE_INT = 6;
export const OP_GRU_INT = 7;
export const OP_QUANTIZE_INPUT = 8; // features → a features-reading integer layer's i16 input codes
export const OP_DEQUANTIZE = 9; // an integer mask / speech-presence layer's codes → f32
export const OP_GATE_DECISION = 10; // a gate's decision output → its u8 channel mask (`out`), output > 0 runs
export const OP_DENSE_INT_SPARSE = 11; // dense-int whose `w` is a SparseMatrix record (docs/sparsity.md, "Engine")
export const OP_GRU_INT_SPARSE = 12; // gru-int whose `w`, `w2` are SparseMatrix records

/** `StateHeader`: what every program of one engine state shares. */
const STATE_FIELDS = ['lastRun', 'resetOnResume', 'gruScratch', 'gateMasks', 'features', 'bins'] as const;

/** `Step`: one kernel call with every argument resolved (pointers are byte offsets). */
const STEP_FIELDS = ['op', 'out', 'x', 'x2', 'w', 'w2', 'b', 'b2', 'rows', 'cols', 'act', 'kernel', 'dilation',
  'gate', 'layer', 'memory', 'memoryLength', 'params'] as const;

export type StateHeader = Record<(typeof STATE_FIELDS)[number], number>;

/**
 * `gate` is the gate switching the layer's channels or −1; `layer` its index in the model's list;
 * `memory`/`memoryLength` its recurrent state (GRU hidden, dwconv history) and count of 4-byte words,
 * 0 if none; `params` an integer op's parameter record (assembly/int-params.ts), or for
 * OP_QUANTIZE_INPUT the address of its f32 1/inputScale, for OP_DENSE_ROWS (a gated expand) the
 * i32 that receives the count of channels that ran, 0 otherwise.
 */
export type Step = Record<(typeof STEP_FIELDS)[number], number>;

function writeWords(core: Core, words: number[]): number {
  const ptr = core.allocU8(words.length * 4);
  core.writeI32(ptr, words);
  return ptr;
}

/** Writes a state header; returns its address (init only: it allocates). */
export function writeStateHeader(core: Core, header: StateHeader): number {
  return writeWords(core, STATE_FIELDS.map((field) => header[field]));
}

/** Writes a program over the state header at `state` ending in the mask at `output`; returns its address. */
export function writeProgram(core: Core, state: number, output: number, steps: readonly Step[]): number {
  return writeWords(core, [state, output, steps.length, ...steps.flatMap((step) => STEP_FIELDS.map((field) => step[field]))]);
}
