/**
 * WASM bytes the float engine (`src/engine/engine.ts`) allocates for a model, computed from the
 * header alone, so that `readModel` can refuse a model the engine could not hold before any WASM
 * allocation happens. It mirrors the engine's allocations, each rounded up to 64 bytes (an upper
 * bound of the alignment padding); `tests/model-limits.test.ts` checks it against a real engine.
 */
import { elementCount } from './encodings.js';
import { layerTensors } from './layer-tensors.js';
import { outputSize } from './validate-layers.js';
import { isIntLayer, type ModelHeader } from './types.js';

/** i32 words of a frame program: program header + one step record per layer (src/engine/program.ts). */
const PROGRAM_WORDS = 3;
const STEP_WORDS = 18;
/** i32 words of an IntDenseParams / IntGruParams record (assembly/int-params.ts), the larger. */
const INT_PARAM_WORDS = 18;
const STATE_HEADER_WORDS = 6;
/** dwconv ring-buffer header (assembly/dwconv.ts, `HEADER_BYTES`), in f32. */
const DWCONV_HEADER_F32 = 4;

const block = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/** Bytes of one engine's weights and of each state it creates. */
export interface EngineMemory {
  /** Weights expanded to f32 (and dwconv tap-major copies), GRU scratch: once per engine. */
  engineBytes: number;
  /** Outputs, recurrent state, dwconv histories and frame programs: once per audio channel. */
  stateBytes: number;
}

/** f32 count of a dwconv history: ring header + (kernel − 1) · dilation frames of `channels`. */
export function dwconvHistoryLength(channels: number, kernel: number, dilation: number): number {
  const slots = (kernel - 1) * dilation;
  return slots > 0 ? DWCONV_HEADER_F32 + slots * channels : 0;
}

/** Layers whose output the host reads as f32: the exits' masks and the speech-presence head. */
export function floatOutputs(header: Pick<ModelHeader, 'exits' | 'speechPresence'>): Set<string> {
  return new Set([...header.exits.map((exit) => exit.output), ...(header.speechPresence ? [header.speechPresence.output] : [])]);
}

/**
 * The engine's WASM memory for `header` (exact sizes up to 64-byte rounding, all safe integers; an
 * upper bound for integer layers, whose i8 weights and i16 codes are counted as f32).
 */
export function engineMemory(
  header: Pick<ModelHeader, 'layers' | 'exits' | 'gates' | 'tensors' | 'features' | 'speechPresence'>,
): EngineMemory {
  const shapes = new Map(header.tensors.map((t) => [t.name, t.shape]));
  const f32 = (count: number): number => block(4 * count);
  let engineBytes = 0;
  for (const name of new Set(header.layers.flatMap(layerTensors))) engineBytes += f32(elementCount(shapes.get(name)!));
  const tapMajor = new Set<string>();
  let maxHidden = 0;
  let stateBytes = f32(header.features.bins) + f32(header.layers.length) + f32(header.gates.length);
  const dequantized = floatOutputs(header);
  /** Program steps per layer: an integer layer may quantize "features" before and dequantize after. */
  const steps = new Map(header.layers.map((layer) => [layer.name,
    1 + (isIntLayer(layer) && layer.input === 'features' ? 1 : 0) + (isIntLayer(layer) && dequantized.has(layer.name) ? 1 : 0)]));
  // Gates: a transposed project copy; per state the counts of channels that ran, decision masks, a
  // decision step after each decision layer, and the ratio-shifted biases.
  const byName = new Map(header.layers.map((layer) => [layer.name, layer]));
  stateBytes += f32(header.gates.length);
  for (const gate of header.gates) {
    engineBytes += f32(gate.channels * outputSize(byName.get(gate.project)!));
    if (gate.decision === undefined) continue;
    stateBytes += block(gate.channels);
    steps.set(gate.decision, steps.get(gate.decision)! + 1);
  }
  for (const layer of header.layers) {
    if (layer.op === 'dense' && layer.ratioWeight !== undefined) stateBytes += f32(layer.out);
    stateBytes += f32(outputSize(layer));
    if (isIntLayer(layer)) {
      // parameter record, accumulator scratch and lane powers (≤ 6 per output each), lane runs (≤ 13
      // words per four outputs), 1/inputScale; input codes and f32 mask per state
      engineBytes += block(4 * INT_PARAM_WORDS) + 2 * f32(6 * outputSize(layer)) + f32(13 * (outputSize(layer) >> 2)) + block(4);
      stateBytes += f32(header.features.bins) + f32(outputSize(layer));
    }
    if (layer.op === 'gru') maxHidden = Math.max(maxHidden, layer.hidden);
    if (layer.op !== 'dwconv') continue;
    if (!tapMajor.has(layer.weight)) engineBytes += f32(layer.channels * layer.kernel);
    tapMajor.add(layer.weight);
    stateBytes += f32(dwconvHistoryLength(layer.channels, layer.kernel, layer.dilation));
  }
  engineBytes += f32(6 * maxHidden);
  stateBytes += block(4 * STATE_HEADER_WORDS);
  const exitSets = header.exits.map((exit) => new Set(exit.layers));
  const program = (steps: number): number => block(4 * (PROGRAM_WORDS + STEP_WORDS * steps));
  const stepCount = (names: string[]): number => names.reduce((n, name) => n + steps.get(name)!, 0);
  for (const to of header.exits) {
    stateBytes += program(stepCount(to.layers));
    for (const from of exitSets) stateBytes += program(stepCount(to.layers.filter((name) => !from.has(name))));
  }
  return { engineBytes, stateBytes };
}
