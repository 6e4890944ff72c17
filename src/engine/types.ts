/** Shapes shared by the engine, the policies and the stream. */

/**
 * What one frame runs: which exit, and optionally which expanded channels of each gated block.
 * `gateMasks[g]` is a WASM pointer to `gates[g].channels` u8 values (0 = skip the channel), or 0:
 * then a gate with a decision layer takes the channels its decision picks, one without runs all.
 * `gateRatio` (in the model's trained range, see `GATE_RATIO_RANGE`) overrides the state's gate
 * ratio (`setGateRatio`) for this frame.
 */
export interface Decision {
  exit: number;
  gateMasks?: ArrayLike<number>;
  gateRatio?: number;
}

/** One output head of a loaded model. */
export interface ExitInfo {
  readonly name: string;
  /** MACs of one frame through this exit with every channel on. */
  readonly macsPerFrame: number;
  /** The part of `macsPerFrame` in gated layers (expand, depthwise, project), which the gates scale. */
  readonly gatedMacsPerFrame: number;
}

/** One channel-gating point (residual block) of a loaded model. */
export interface GateInfo {
  readonly name: string;
  /** Expanded channels the gate switches; a gate mask holds this many u8 values. */
  readonly channels: number;
  /** Whether the model decides the gate's channels itself (a `decision` layer) rather than the caller. */
  readonly decides: boolean;
}

/** The recurrent memory of one audio channel: GRU hidden states, depthwise histories, layer outputs. */
export interface EngineState {
  /** Engine that created this state; a state runs only on its own engine. */
  readonly engineId: number;
}

/**
 * What a layer that a frame skipped starts from when a later frame runs it again: `'hold'` (the
 * model file's rule: its state as it was when it last ran) or `'reset'` (zero state, as at stream
 * start; an alternative kept to measure what holding is worth).
 */
export type SkippedState = 'hold' | 'reset';

/** Options of `createEngine`. */
export interface EngineOptions {
  /** Default: the model file's `skippedState` (`'hold'`). */
  skippedState?: SkippedState;
}

/** A model loaded into WASM memory, ready to run frame by frame. */
export interface Engine {
  /** Exits, cheapest first; the last one is the full model. */
  readonly exits: readonly ExitInfo[];
  /** Channel gates (empty unless the model gates channels). */
  readonly gates: readonly GateInfo[];
  /** Feature bins in and mask bins out (161). */
  readonly bins: number;
  /** Bytes of weights held in WASM memory. */
  readonly weightBytes: number;
  /** State rule for layers a frame skips. */
  readonly skippedState: SkippedState;
  /** Whether the model has a speech-presence head (header `speechPresence`). */
  readonly hasSpeechHead: boolean;
  /**
   * Allocates a zeroed state for one more audio channel. WASM memory is never freed: hosts keep
   * disposed streams, states included, for reuse (src/host/slots.ts). May grow the memory.
   */
  createState(): EngineState;
  /** Zeroes a state, as at stream start. */
  resetState(state: EngineState): void;
  /**
   * Runs one frame: reads `bins` f32 features at `featuresPtr`, writes `bins` mask gains at
   * `maskPtr`. Layers outside the chosen exit keep their state.
   */
  run(state: EngineState, featuresPtr: number, maskPtr: number, decision: Decision): void;
  /**
   * Continues the frame that `run` (or an earlier `extend`) took through exit `fromExit` to exit
   * `decision.exit`, running only the layers `fromExit` does not list, and writes that exit's mask
   * at `maskPtr`. Running exit a then extending to b gives the same mask and state as running b
   * directly (plus a's head, which is counted since it ran).
   */
  extend(state: EngineState, maskPtr: number, fromExit: number, decision: Decision): void;
  /** The speech-presence head's output for the state's last frame, in [0, 1]; NaN without a head. */
  speechProbability(state: EngineState): number;
  /**
   * Sets the state's gate ratio from the next frame on (1 at creation; kept by `resetState`),
   * clamped to `GATE_RATIO_RANGE`: the dense layers with a `ratioWeight` get the bias
   * `bias + r · ratioWeight`, recomputed here, not per frame. Returns the ratio applied.
   */
  setGateRatio(state: EngineState, ratio: number): number;
  /** Channels of gate `gate` that ran in the state's last frame; −1 if that frame did not run the gate. */
  activeChannels(state: EngineState, gate: number): number;
  /**
   * A copy of layer `layerName`'s output after the state's last frame (zero before the layer first
   * runs): a float layer's values, or an integer layer's codes times its output scale. For
   * calibration (src/quant). Throws `InvalidOptionError` for an unknown layer.
   */
  layerOutput(state: EngineState, layerName: string): Float32Array;
}
