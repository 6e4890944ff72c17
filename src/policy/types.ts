/** The runtime policy contract: once per hop, before the engine runs, choose what the frame computes. */
import type { Decision } from '../engine/types.js';

/** What a policy knows about the frame it decides for. The stream reuses one object: do not keep it. */
export interface FrameInfo {
  /** Audio channel of the frame (0-based). */
  channel: number;
  /** Frames this channel has run since the stream started or was reset. */
  frame: number;
}

/** Picks the exit (and gate masks) of each frame. */
export interface Policy {
  /** The decision for one frame; may return the same object every time (the engine only reads it). */
  decide(frame: FrameInfo): Decision;
}
