/**
 * TypeScript shapes of the model file header (docs/model-format.md, "Header"). A `ModelHeader`
 * returned by `readModel` has been validated: every reference resolves and every size agrees.
 */

/** Element-wise function applied after a layer's affine part. */
export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh';

/** `y = act(W x + b + r · ratioWeight)`, weight `[out, in]`, bias `[out]`, r the run-time gate ratio. */
export interface DenseLayer {
  name: string;
  op: 'dense';
  input: string;
  in: number;
  out: number;
  activation: Activation;
  weight: string;
  bias: string;
  /** Optional `[out]`: scaled by the gate ratio and added to the bias (docs/model-format.md, "Gate ratio"). */
  ratioWeight?: string;
}

/** One `torch.nn.GRU` step (gates r, z, n); the output is the new hidden state. */
export interface GruLayer {
  name: string;
  op: 'gru';
  input: string;
  in: number;
  hidden: number;
  weightIh: string;
  weightHh: string;
  biasIh: string;
  biasHh: string;
}

/** Depthwise dilated causal convolution over frames, weight `[channels, kernel]`, bias `[channels]`. */
export interface DwConvLayer {
  name: string;
  op: 'dwconv';
  input: string;
  channels: number;
  kernel: number;
  dilation: number;
  activation: Activation;
  weight: string;
  bias: string;
}

/** `y = act(a + b)` of two earlier outputs of equal size. */
export interface AddLayer {
  name: string;
  op: 'add';
  inputs: [string, string];
  size: number;
  activation: Activation;
}

/** Where a layer reading "features" turns them into codes (docs/integer.md, "Float boundaries"). */
export interface IntInputQuant {
  inputBits: number;
  /** f32 scale of the input codes. */
  inputScale: number;
  /** `f32(1 / inputScale)`, the one multiply the boundary does. */
  invInputScale: number;
}

/** Bit widths and scales of a `dense-int` layer; the input fields only when it reads "features". */
export interface DenseIntQuant extends Partial<IntInputQuant> {
  biasBits: number;
  /** Pre-activation bits P, its scale and table bits K: sigmoid/tanh only, else null. */
  preBits: number | null;
  preScale: number | null;
  tableBits: number | null;
  outputBits: number;
  /** Per-tensor output scale; `2^−(outputBits−1)` for sigmoid/tanh. */
  outputScale: number;
}

/** An integer dense layer (docs/integer.md, "Dense layer"): i32 accumulators, Q31 requantization, tables. */
export interface DenseIntLayer {
  name: string;
  op: 'dense-int';
  input: string;
  in: number;
  out: number;
  activation: Activation;
  /** int2…int8 `[out, in]` with per-row scale, no zero point. */
  weight: string;
  /** i32 `[out]`, at accumulator scale. */
  bias: string;
  /** i32 `[out]` Q31 multipliers and right shifts. */
  multiplier: string;
  shift: string;
  /** i32 `[2^K]` for sigmoid/tanh, else null. */
  table: string | null;
  quant: DenseIntQuant;
}

/** Per-gate values of a GRU (r, z, n). */
export interface GateTriple {
  r: number;
  z: number;
  n: number;
}

/** Bit widths and scales of a `gru-int` layer. */
export interface GruIntQuant extends Partial<IntInputQuant> {
  biasBits: number;
  preBits: GateTriple;
  preScale: GateTriple;
  tableBits: GateTriple;
  /** Output bits of r, z, n and of the hidden state h. */
  bits: GateTriple & { h: number };
}

/** The six weight matrices of a GRU: input (ir, iz, in) `[h, in]` and hidden (hr, hz, hn) `[h, h]`. */
export interface GruIntWeights {
  ir: string;
  iz: string;
  in: string;
  hr: string;
  hz: string;
  hn: string;
}

/** An integer GRU layer (docs/integer.md, "GRU step"); its output is the i16 hidden state. */
export interface GruIntLayer {
  name: string;
  op: 'gru-int';
  input: string;
  in: number;
  hidden: number;
  weights: GruIntWeights;
  /** i32 `[3h]` each, gate order r, z, n. */
  biasIh: string;
  biasHh: string;
  /** i32 `[6, h]`, order ir, iz, in, hr, hz, hn. */
  multiplier: string;
  shift: string;
  tables: { r: string; z: string; n: string };
  quant: GruIntQuant;
}

/** A layer of integer arithmetic (reads "features" or another integer layer). */
export type IntLayerSpec = DenseIntLayer | GruIntLayer;

/** Whether `layer` runs integer arithmetic (`dense-int`, `gru-int`). */
export function isIntLayer(layer: LayerSpec): layer is IntLayerSpec {
  return layer.op === 'dense-int' || layer.op === 'gru-int';
}

/** One layer of the execution list, discriminated by `op`. */
export type LayerSpec = DenseLayer | GruLayer | DwConvLayer | AddLayer | IntLayerSpec;

/** The layer operations a v1 file may use. */
export type LayerOp = LayerSpec['op'];

/** An output head: running `layers` in order yields the mask in `output`. */
export interface ExitSpec {
  name: string;
  /** Layer whose output (sigmoid, `features.bins` values) is the mask. */
  output: string;
  /** Every layer this exit runs, in execution order. */
  layers: string[];
}

/** A channel-gating point: one residual block expand → depthwise → project. */
export interface GateSpec {
  name: string;
  channels: number;
  expand: string;
  depthwise: string;
  project: string;
  /** Optional: the layer (before `expand`, `channels` outputs) whose output > 0 switches channel c on. */
  decision?: string;
}

/** Packed signed integer codes of 2…8 bits (docs/model-format.md, "Packed integers"). */
export type IntDtype = 'int2' | 'int3' | 'int4' | 'int5' | 'int6' | 'int7' | 'int8';

/** How a sparse tensor's stored elements are encoded. */
export type ValueDtype = 'f32' | IntDtype;

/** Plain integer arrays (zero points, and an integer layer's biases, multipliers, shifts and tables). */
export type PlainIntDtype = 'i32' | 'i16' | 'i8' | 'u8';

/** Element encodings (docs/model-format.md, "Tensor dtypes"). */
export type TensorDtype = 'f32' | PlainIntDtype | IntDtype | 'csr' | 'block-sparse';

/** File format versions this code reads: 2 adds i16 / i8 / u8 arrays, 8-bit delta indices and 16-bit row pointers. */
export type FormatVersion = 1 | 2;

/**
 * Where a tensor's bytes lie: at `dataStart + offset`, `byteLength` bytes. `shape` is always the
 * logical (dense) shape; the optional fields belong to the encodings that use them.
 */
export interface TensorSpec {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  offset: number;
  byteLength: number;
  /** Packed integers (and integer-valued sparse tensors): the f32 tensor of scales, `[1]` or `[rows]`. */
  scale?: string;
  /** The i32 tensor of zero points, shaped as `scale`; absent means 0 (symmetric). */
  zeroPoint?: string;
  /** csr / block-sparse: encoding of the stored elements. */
  values?: ValueDtype;
  /** csr / block-sparse: stored elements (csr) or stored blocks (block-sparse). */
  nnz?: number;
  /**
   * csr / block-sparse: width of the column indices; 8: each the number of columns skipped since the
   * element before it in its row (docs/model-format.md, "8-bit delta indices").
   */
  indexBits?: 8 | 16 | 32;
  /** csr / block-sparse: width of the row pointers; absent means 32. */
  rowPtrBits?: 16 | 32;
  /** block-sparse: `[rows, cols]` of one block. */
  block?: [number, number];
}

/** Short-time Fourier transform the model was trained with. */
export interface StftSpec {
  window: 'sqrt-hann';
  windowLength: number;
  hop: number;
  fftSize: number;
}

/** Input features: `log10(|X[k]|² + epsilon)` for `bins` bins. */
export interface FeatureSpec {
  type: 'log10-power';
  epsilon: number;
  bins: number;
}

/** Network family: a recurrent mask estimator or a gated convolutional one. */
export type Architecture = 'gru-mask' | 'conv-mask';

/** The JSON header of a model file, keys in file order. */
export interface ModelHeader {
  format: 'tinyhush-model';
  /** The lowest version whose encodings the file uses (writers set it). */
  version: FormatVersion;
  name: string;
  description: string;
  architecture: Architecture;
  sampleRate: number;
  stft: StftSpec;
  features: FeatureSpec;
  layers: LayerSpec[];
  /** Cheapest first; the last one is the full model. */
  exits: ExitSpec[];
  /** Empty unless the model gates channels. */
  gates: GateSpec[];
  /** What happens to the state of layers a frame skips: kept as is. */
  skippedState: 'hold';
  tensors: TensorSpec[];
  /** Free-form: data, command, steps, metrics, date. */
  provenance: Record<string, unknown>;
  /** Where the model says whether a frame holds speech; absent for models without a speech-presence head. */
  speechPresence?: SpeechPresenceSpec;
}

/** A speech-presence head: `output` names a one-unit sigmoid dense layer that every exit runs. */
export interface SpeechPresenceSpec {
  output: string;
}

/** A parsed, validated model file. */
export interface Model {
  header: ModelHeader;
  /**
   * The elements of tensor `name` as dense row-major f32 (a fresh copy): packed integers and
   * sparse tensors expanded (`x = scale · (q − zeroPoint)`), i32 converted. Throws
   * `ModelFormatError` if there is none.
   */
  tensor(name: string): Float32Array;
  /**
   * The codes of the int2…int8 tensor `name`, unpacked, row-major (a fresh copy; no scale or zero
   * point applied); for a csr / block-sparse tensor of integer values, its codes expanded (0 where
   * nothing is stored). Throws `ModelFormatError` if there is none or it holds no integer codes.
   */
  intCodes(name: string): Int8Array;
  /**
   * The values of the plain integer tensor `name` (i32, i16, i8 or u8), widened to i32 (a fresh copy).
   * Throws `ModelFormatError` if there is none or it is not a plain integer array.
   */
  int32(name: string): Int32Array;
  /** The stored bytes of tensor `name` (a view into `bytes`, in its encoding). */
  tensorBytes(name: string): Uint8Array;
  /** The whole file as read. */
  bytes: Uint8Array;
}
