/** The runtime policy contract: once per hop, choose what the frame computes; optionally look again. */
import type { Decision, ExitInfo } from '../engine/types.js';

/**
 * What a policy knows about the frame it decides for. The stream reuses one object per channel: do
 * not keep it. The signal fields are valid in `refine` (after the first stage ran).
 */
export interface FrameInfo {
  /** Audio channel of the frame (0-based). */
  channel: number;
  /** Frames this channel has run since the stream started or was reset (0: start afresh). */
  frame: number;
  /** The exit the engine has run in this frame so far (set before `refine`). */
  exit: number;
  /** The whole WASM memory as f32, current for this frame. */
  heap: Float32Array;
  /** f32 index in `heap` of the frame's unmasked spectrum: `bins` complex values, re and im interleaved. */
  spectrum: number;
  /** f32 index in `heap` of the mask (`bins` gains in [0, 1]) that exit `exit` produced. */
  mask: number;
  /** Frequency bins of spectrum and mask (161). */
  bins: number;
}

/** Which kind of policy, as telemetry names it. */
export type PolicyKind = 'fixed' | 'budget' | 'adaptive';

/** Picks the exit (and gate masks) of each frame. */
export interface Policy {
  readonly kind: PolicyKind;
  /** The decision for one frame, before the engine runs; may return the same object every time. */
  decide(frame: FrameInfo): Decision;
  /**
   * Optional second look, after `decide`'s exit ran: return a decision for a deeper exit to continue
   * this frame there (only the layers not yet run are executed), or one for `frame.exit` to stop.
   */
  refine?(frame: FrameInfo): Decision;
}

/** What a policy is built for: the model's exits and the stream's shape. */
export interface PolicyContext {
  exits: readonly ExitInfo[];
  /** The lowest gate ratio, where the model's gates decide their channels (a knob a policy may turn); else undefined. */
  minGateRatio?: number;
  channels: number;
  /** Model frames per second of audio, per channel (16000 / 160 = 100). */
  framesPerSecond: number;
}

/** One reusable decision object per exit, so policies allocate nothing per frame. */
export function exitDecisions(exits: number): readonly Decision[] {
  return Array.from({ length: exits }, (_, exit) => ({ exit }));
}
