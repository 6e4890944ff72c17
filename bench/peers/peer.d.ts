/** The shape every `bench/peers/*.mjs` module exports as its default: one peer denoiser. */
export interface Peer {
  /** Short stable id used in result files. */
  id: string;
  /** Human-readable name for tables and plots. */
  name: string;
  /** Native sample rate in Hz; the harness resamples the 16 kHz test audio to it. */
  sampleRate: number;
  /** Samples per `processFrame` call at `sampleRate`. */
  frameSize: number;
  /** Algorithmic delay in samples at `sampleRate`: output n is the enhanced input n − delaySamples. */
  delaySamples: number;
  /** The peer expects input multiplied by this (32768 for int16-range RNNoise, else 1). */
  inputScale: number;
  /** Cost of the peer's network; peers cannot count their MACs, so this is documented, not measured. */
  macsPerSecond: { value: number; source: string };
  /** Why the peer cannot run here (e.g. model files absent), or null when it can. */
  unavailableReason?: () => string | null;
  /** Loads the peer and makes one fresh stream state. */
  create(): Promise<PeerInstance>;
}

export interface PeerInstance {
  /** Processes one frame (in the peer's input scale); returns a new array of `frameSize` samples. */
  processFrame(input: Float32Array): Float32Array | Promise<Float32Array>;
  /** Bytes of the peer's wasm linear memory now; NaN where the runtime does not expose it. */
  memoryBytes(): number;
  dispose(): void | Promise<void>;
}
