// Frame programs: the engine compiles each exit's layer list (and each continuation between two
// exits) once into records in memory; `runProgram` walks one in a single call, so the host pays
// one boundary crossing per layer group instead of one per layer (docs/internals.md, "Frame
// programs", gives the layout the engine writes).

import { activate } from './activations';
import { dense, denseColsMasked, denseMasked } from './dense';
import { dwConvStep } from './dwconv';
import { gruStep } from './gru';
import { dequantizeMask, quantizeInput } from './int-boundary';
import { intDense, intDenseSparse } from './int-dense';
import { intGruStep, intGruStepSparse } from './int-gru';
import { flushTiny, vecAdd } from './vector';

const OP_DENSE = 0;
const OP_DENSE_ROWS = 1; // gated expand: skipped channels are rows never computed
const OP_DENSE_COLS = 2; // gated project: skipped channels are columns never read
const OP_GRU = 3;
const OP_DWCONV = 4;
const OP_ADD = 5;
// Integer layers (docs/integer.md, "Engine integration"): codes are i16 in memory.
const OP_DENSE_INT = 6;
const OP_GRU_INT = 7;
const OP_QUANTIZE_INPUT = 8; // features (f32) → a features-reading integer layer's input codes
const OP_DEQUANTIZE = 9; // a mask / speech-presence integer layer's codes → f32 gains
const OP_GATE_DECISION = 10; // a gate's decision layer output → its u8 channel mask (docs/model-format.md, "Gates")
// Sparse integer layers (docs/sparsity.md, "Engine"): `w` (and `w2`) are SparseMatrix records.
const OP_DENSE_INT_SPARSE = 11;
const OP_GRU_INT_SPARSE = 12;

/** What every program of one engine state shares (written once by the engine). */
@unmanaged class StateHeader {
  /** i32 per layer: 1 + the frame it last ran in (0 = not since the reset). */
  lastRun: i32;
  /** 1: a layer that sat out the previous frame starts from zero state ('reset'); 0: 'hold'. */
  resetOnResume: i32;
  /** 6·(largest GRU hidden) f32 for `gruStep`. */
  gruScratch: i32;
  /** i32 per gate: the u8 channel mask of the frame's decision, 0 = all on (written per frame). */
  gateMasks: i32;
  /** The state's copy of the frame's features, which the first layer reads. */
  features: i32;
  bins: i32;
}

/** A program: its state, its exit's mask, then `steps` Step records. */
@unmanaged class Program {
  state: i32;
  output: i32;
  steps: i32;
}

/** One kernel call with every argument resolved (pointers are byte offsets). */
@unmanaged class Step {
  op: i32;
  out: i32;
  x: i32;
  x2: i32;
  w: i32;
  w2: i32;
  b: i32;
  b2: i32;
  rows: i32;
  cols: i32;
  act: i32;
  kernel: i32;
  dilation: i32;
  /** Gate switching this layer's channels, or −1. */
  gate: i32;
  layer: i32;
  /** Recurrent memory (GRU hidden state, dwconv history) and its f32 (4-byte word) count; 0 for stateless ops. */
  memory: i32;
  memoryLength: i32;
  /**
   * Integer ops: an IntDenseParams / IntGruParams record (assembly/int-params.ts); for
   * OP_QUANTIZE_INPUT the address of the f32 1/inputScale; for OP_DENSE_ROWS (a gated expand) the
   * i32 that receives the number of channels that ran. 0 otherwise.
   */
  params: i32;
}

/**
 * Channel c of a gate runs iff its decision output x[c] > 0: writes that u8 mask at `mask` and
 * makes it the gate's mask for this frame, unless the caller's decision already set one (`slot` ≠ 0).
 */
function gateDecision(slot: usize, mask: usize, x: usize, channels: i32): void {
  if (load<i32>(slot) != 0) return;
  for (let c = 0; c < channels; c++) store<u8>(mask + <usize>c, <u8>(load<f32>(x + (<usize>c << 2)) > 0));
  store<i32>(slot, <i32>mask);
}

/**
 * Runs the program at `programPtr` for frame `frame` (0 at stream start). `featuresIn` ≠ 0 starts
 * the frame (its `bins` features are copied into the state); 0 continues the frame an earlier
 * program ran. Writes the exit's `bins` mask gains to `maskOut`.
 */
export function runProgram(programPtr: usize, featuresIn: usize, maskOut: usize, frame: i32): void {
  const program = changetype<Program>(programPtr);
  const state = changetype<StateHeader>(<usize>program.state);
  const binBytes = <usize>state.bins << 2;
  if (featuresIn != 0) memory.copy(<usize>state.features, featuresIn, binBytes);
  let p = programPtr + offsetof<Program>();
  const end = p + <usize>program.steps * offsetof<Step>();
  for (; p < end; p += offsetof<Step>()) {
    const t = changetype<Step>(p);
    if (t.memoryLength != 0) {
      const lastRun = <usize>state.lastRun + (<usize>t.layer << 2);
      if (state.resetOnResume != 0 && load<i32>(lastRun) != frame) {
        memory.fill(<usize>t.memory, 0, <usize>t.memoryLength << 2);
      }
      store<i32>(lastRun, frame + 1);
    }
    const mask: usize = t.gate >= 0 ? <usize>load<i32>(<usize>state.gateMasks + (<usize>t.gate << 2)) : 0;
    switch (t.op) {
      case OP_DENSE: dense(t.out, t.w, t.x, t.b, t.rows, t.cols, t.act); break;
      case OP_DENSE_ROWS: {
        const active = denseMasked(t.out, t.w, t.x, t.b, t.rows, t.cols, t.act, mask, 0);
        if (t.params != 0) store<i32>(<usize>t.params, active);
        break;
      }
      // `w` is the transposed weight [cols, rows]: a skipped column is a run of weights never read.
      case OP_DENSE_COLS: denseColsMasked(t.out, t.w, t.x, t.b, t.rows, t.cols, t.act, mask); break;
      case OP_GATE_DECISION: gateDecision(<usize>state.gateMasks + (<usize>t.gate << 2), t.out, t.x, t.rows); break;
      // Recurrent state is flushed of tiny values (assembly/vector.ts, TINY): a decaying hidden
      // state or history would otherwise drift into the slow subnormal range.
      case OP_GRU:
        gruStep(t.out, t.x, t.w, t.w2, t.b, t.b2, t.cols, t.rows, state.gruScratch);
        flushTiny(t.out, t.rows);
        break;
      case OP_DWCONV:
        flushTiny(t.x, t.rows); // the frame that enters the history
        dwConvStep(t.out, t.x, t.memory, t.w, t.b, t.rows, t.kernel, t.dilation, t.act, mask);
        break;
      case OP_ADD:
        vecAdd(t.out, t.x, t.x2, t.rows);
        activate(t.out, t.rows, t.act); // returns at once for no activation
        break;
      case OP_DENSE_INT: intDense(t.out, t.w, t.x, t.b, t.rows, t.cols, t.params); break;
      case OP_GRU_INT: intGruStep(t.out, t.x, t.w, t.w2, t.b, t.b2, t.cols, t.rows, t.params); break;
      case OP_DENSE_INT_SPARSE: intDenseSparse(t.out, t.w, t.x, t.b, t.rows, t.params); break;
      case OP_GRU_INT_SPARSE: intGruStepSparse(t.out, t.x, t.w, t.w2, t.b, t.b2, t.rows, t.params); break;
      // `act` carries the code width of both boundaries.
      case OP_QUANTIZE_INPUT: quantizeInput(t.out, t.x, t.rows, load<f32>(<usize>t.params), t.act); break;
      case OP_DEQUANTIZE: dequantizeMask(t.out, t.x, t.rows, t.act); break;
    }
  }
  memory.copy(maskOut, <usize>program.output, binBytes);
}
