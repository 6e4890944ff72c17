/**
 * The generic executor: runs a model's layer list frame by frame through the WASM kernels.
 *
 * Everything is resolved at init: tensors are copied into WASM memory once per engine, and each
 * state compiles one frame program per exit, plus one continuation per (from, to) pair of exits
 * (the layers of `to` that `from` did not run), into WASM memory (`program.ts`). A frame is then
 * one `runProgram` call per layer group: nothing allocates, nothing is looked up, and the host
 * crosses into WASM once, not once per layer.
 */
import { InvalidOptionError } from '../errors.js';
import { floatOutputs } from '../model/engine-memory.js';
import { layerTensors } from '../model/layer-tensors.js';
import { denseMacsPerFrame, layerMacs } from '../model/macs.js';
import { isIntLayer, type DenseLayer, type LayerSpec, type Model } from '../model/types.js';
import { intOutput } from '../model/validate-int.js';
import { Activation, type Core } from '../wasm/core.js';
import { clampGateRatio, type RatioBias, writeRatioBiases } from './gate-ratio.js';
import { type PlacedIntLayer, placeIntLayer } from './int-layers.js';
import {
  OP_ADD, OP_DENSE, OP_DENSE_COLS, OP_DENSE_INT, OP_DENSE_INT_SPARSE, OP_DENSE_ROWS, OP_DEQUANTIZE, OP_DWCONV, OP_GRU,
  OP_GRU_INT, OP_GRU_INT_SPARSE, OP_GATE_DECISION, OP_QUANTIZE_INPUT, type Step, writeProgram, writeStateHeader,
} from './program.js';
import type { Decision, Engine, EngineOptions, EngineState, ExitInfo, GateInfo, SkippedState } from './types.js';

interface CompiledState extends EngineState {
  /** Program address per exit. */
  programs: number[];
  /** `continuations[from][to]`: address of the program of the layers of exit `to` that `from` does not list. */
  continuations: number[][];
  /** (pointer, f32 count) pairs zeroed by `resetState`. */
  zeroOnReset: number[];
  /** i32 index of the state's gate-mask slots in the heap (one per gate). */
  gateSlots: number;
  /** f32 index of the speech-presence head's output in the heap, −1 without a head. */
  speechSlot: number;
  /** Index of the frame being run (−1 before the first). */
  frame: number;
  /** Each layer's output buffer (f32, or i16 codes for an integer layer). */
  outputs: Map<string, number>;
  /** i32 index of the per-gate counts of channels that ran in the last frame (−1: gate not run). */
  activeSlots: number;
  /** The gate ratio set by `setGateRatio`, and the one the effective biases hold now. */
  baseRatio: number;
  ratio: number;
  ratioBiases: RatioBias[];
}

let nextEngineId = 1;

/** [channels, kernel] → [kernel, channels]; any [rows, cols] → [cols, rows]. */
function tapMajor(weight: Float32Array, channels: number, kernel: number): Float32Array {
  const out = new Float32Array(weight.length);
  for (let c = 0; c < channels; c++) {
    for (let j = 0; j < kernel; j++) out[j * channels + c] = weight[c * kernel + j];
  }
  return out;
}

function layerOutputSize(layer: LayerSpec): number {
  switch (layer.op) {
    case 'dense': case 'dense-int': return layer.out;
    case 'gru': case 'gru-int': return layer.hidden;
    case 'dwconv': return layer.channels;
    case 'add': return layer.size;
  }
}


/** 4-byte words holding `n` i16 codes. */
const codeWords = (n: number): number => Math.ceil(n / 2);

/**
 * Loads `model`'s tensors into `core`'s memory and returns an engine that runs it. The model has
 * been validated by `readModel`, so every reference resolves and every size agrees.
 */
export function createEngine(core: Core, model: Model, options: EngineOptions = {}): Engine {
  const k = core.exports;
  const skippedState: SkippedState = options.skippedState ?? model.header.skippedState;
  const resetOnResume = skippedState === 'reset';
  const header = model.header;
  const bins = header.features.bins;
  const engineId = nextEngineId++;
  const speechOutput = header.speechPresence?.output;

  const place = (values: Float32Array): number => {
    const ptr = core.allocU8(values.length * 4);
    core.writeF32(ptr, values);
    return ptr;
  };
  const tensorPtr = new Map<string, number>();
  let weightBytes = 0;
  // The float kernels read dense f32: `model.tensor` expands packed-integer, csr and block-sparse
  // tensors at load, folding in their scales and zero points, which are not placed themselves.
  for (const name of new Set(header.layers.filter((l) => !isIntLayer(l)).flatMap(layerTensors))) {
    const values = model.tensor(name);
    tensorPtr.set(name, place(values));
    weightBytes += values.byteLength;
  }
  const weight = (name: string): number => tensorPtr.get(name)!;
  // Integer layers: i8 weight rows, i32 tensors and a parameter record each (int-layers.ts).
  const intPlaced = new Map<string, PlacedIntLayer>();
  for (const layer of header.layers.filter(isIntLayer)) {
    const placed = placeIntLayer(core, model, layer);
    intPlaced.set(layer.name, placed);
    weightBytes += placed.bytes;
  }
  /** Integer layers whose codes the host reads as f32 (exit masks, speech presence). */
  const dequantized = new Set([...floatOutputs(header)].filter((name) => intPlaced.has(name)));
  // The dwconv kernel reads its weights tap-major; a second copy keeps a shared tensor intact.
  const tapMajorPtr = new Map<string, number>();
  for (const layer of header.layers) {
    if (layer.op !== 'dwconv' || tapMajorPtr.has(layer.weight)) continue;
    tapMajorPtr.set(layer.weight, place(tapMajor(model.tensor(layer.weight), layer.channels, layer.kernel)));
  }

  // A gated project runs on its transpose (denseColsMasked): a skipped channel's weights are one run never read.
  const layerNamed = new Map(header.layers.map((l) => [l.name, l]));
  const transposedPtr = new Map<string, number>();
  for (const gate of header.gates) {
    const project = layerNamed.get(gate.project) as DenseLayer;
    transposedPtr.set(project.name, place(tapMajor(model.tensor(project.weight), project.out, project.in)));
  }
  const ratioLayers = header.layers.filter((l): l is DenseLayer => l.op === 'dense' && l.ratioWeight !== undefined)
    .map((l) => ({ name: l.name, bias: model.tensor(l.bias), ratioWeight: model.tensor(l.ratioWeight!) }));

  const maxHidden = Math.max(0, ...header.layers.map((l) => (l.op === 'gru' ? l.hidden : 0)));
  const gruScratch = core.allocF32(6 * maxHidden);

  // Which gate (and in which role) switches each gated layer's channels.
  const gating = new Map<string, { gate: number; op: number }>();
  header.gates.forEach((gate, g) => {
    gating.set(gate.expand, { gate: g, op: OP_DENSE_ROWS });
    gating.set(gate.depthwise, { gate: g, op: OP_DWCONV });
    gating.set(gate.project, { gate: g, op: OP_DENSE_COLS });
  });

  const gatedMacs = (names: string[]): number => header.gates.filter((g) => names.includes(g.expand))
    .reduce((sum, g) => sum + [g.expand, g.depthwise, g.project].reduce((m, n) => m + layerMacs(layerNamed.get(n)!), 0), 0);
  const exits: ExitInfo[] = header.exits.map((exit, i) => ({
    name: exit.name, macsPerFrame: denseMacsPerFrame(header, i), gatedMacsPerFrame: gatedMacs(exit.layers),
  }));
  const gates: GateInfo[] = header.gates.map((gate) => ({ name: gate.name, channels: gate.channels, decides: gate.decision !== undefined }));
  /** Decision layer → its gate, and the gated expand layers' gates. */
  const decisionOf = new Map(header.gates.flatMap((gate, g) => (gate.decision === undefined ? [] : [[gate.decision, g] as const])));
  const expandOf = new Map(header.gates.map((gate, g) => [gate.expand, g]));

  function createState(): EngineState {
    const features = core.allocF32(bins);
    const lastRun = core.allocF32(header.layers.length); // i32 slots; zero = not run since the reset
    const gateMasks = core.allocF32(header.gates.length); // i32 slots: u8 mask pointers
    const gateActive = core.allocF32(header.gates.length); // i32 slots: channels that ran
    const decisionMasks = header.gates.map((gate) => (gate.decision === undefined ? 0 : core.allocU8(gate.channels)));
    const ratioBiases: RatioBias[] = ratioLayers.map((l) => ({ ...l, effective: core.allocF32(l.bias.length) }));
    const effectiveBias = new Map(ratioLayers.map((l, i) => [l.name, ratioBiases[i].effective]));
    const zeroOnReset = [features, bins, lastRun, header.layers.length];
    const output = new Map<string, number>([['features', features]]);
    /** dwconv layer → its history (pointer, f32 count). */
    const history = new Map<string, { ptr: number; length: number }>();
    /** Integer layers reading "features": their input codes. Integer exit/presence layers: their f32 form. */
    const inputCodes = new Map<string, number>();
    const floatOf = new Map<string, number>();
    for (const layer of header.layers) {
      const size = layerOutputSize(layer);
      const words = isIntLayer(layer) ? codeWords(size) : size;
      const ptr = core.allocF32(words);
      output.set(layer.name, ptr);
      zeroOnReset.push(ptr, words);
      if (isIntLayer(layer) && layer.input === 'features') inputCodes.set(layer.name, core.allocF32(codeWords(bins)));
      if (dequantized.has(layer.name)) {
        floatOf.set(layer.name, core.allocF32(size));
        zeroOnReset.push(floatOf.get(layer.name)!, size);
      }
      if (layer.op === 'dwconv') {
        const length = k.dwConvStateLength(layer.channels, layer.kernel, layer.dilation);
        const h = { ptr: core.allocF32(length), length };
        history.set(layer.name, h);
        zeroOnReset.push(h.ptr, length);
      }
    }
    const stateHeader = writeStateHeader(core, {
      lastRun, resetOnResume: resetOnResume ? 1 : 0, gruScratch, gateMasks, features, bins,
    });
    const layerIndex = new Map(header.layers.map((l, i) => [l.name, i]));
    const stepOf = (layer: LayerSpec): Step => {
      const step: Step = {
        op: OP_DENSE, out: output.get(layer.name)!, x: 0, x2: 0, w: 0, w2: 0, b: 0, b2: 0,
        rows: 0, cols: 0, act: 0, kernel: 0, dilation: 0, gate: gating.get(layer.name)?.gate ?? -1,
        layer: layerIndex.get(layer.name)!, memory: 0, memoryLength: 0, params: 0,
      };
      switch (layer.op) {
        case 'dense':
          return { ...step, op: gating.get(layer.name)?.op ?? OP_DENSE, x: output.get(layer.input)!,
            w: transposedPtr.get(layer.name) ?? weight(layer.weight), b: effectiveBias.get(layer.name) ?? weight(layer.bias),
            rows: layer.out, cols: layer.in, act: Activation[layer.activation],
            params: expandOf.has(layer.name) ? gateActive + 4 * expandOf.get(layer.name)! : 0 };
        case 'gru':
          return { ...step, op: OP_GRU, x: output.get(layer.input)!, w: weight(layer.weightIh), w2: weight(layer.weightHh),
            b: weight(layer.biasIh), b2: weight(layer.biasHh), rows: layer.hidden, cols: layer.in,
            memory: step.out, memoryLength: layer.hidden };
        case 'dwconv':
          return { ...step, op: OP_DWCONV, x: output.get(layer.input)!, w: tapMajorPtr.get(layer.weight)!,
            b: weight(layer.bias), rows: layer.channels, kernel: layer.kernel, dilation: layer.dilation,
            act: Activation[layer.activation], memory: history.get(layer.name)!.ptr,
            memoryLength: history.get(layer.name)!.length };
        case 'add':
          return { ...step, op: OP_ADD, x: output.get(layer.inputs[0])!, x2: output.get(layer.inputs[1])!, rows: layer.size,
            act: Activation[layer.activation] };
        case 'dense-int': case 'gru-int': {
          const placed = intPlaced.get(layer.name)!;
          const x = inputCodes.get(layer.name) ?? output.get(layer.input)!;
          const int = { ...step, x, w: placed.w, w2: placed.w2, b: placed.b, b2: placed.b2, cols: layer.in, params: placed.params };
          return layer.op === 'dense-int' ? { ...int, op: placed.sparse ? OP_DENSE_INT_SPARSE : OP_DENSE_INT, rows: layer.out }
            : { ...int, op: placed.sparse ? OP_GRU_INT_SPARSE : OP_GRU_INT, rows: layer.hidden, memory: step.out,
              memoryLength: codeWords(layer.hidden) };
        }
      }
    };
    /** A layer's steps: an integer layer reading "features" quantizes them first; an integer mask is dequantized after. */
    const stepsOf = (layer: LayerSpec): Step[] => {
      const main = stepOf(layer);
      if (!isIntLayer(layer)) return [main];
      const steps = [main];
      const codes = inputCodes.get(layer.name);
      if (codes !== undefined) {
        steps.unshift({ ...main, op: OP_QUANTIZE_INPUT, out: codes, x: features, rows: bins, act: layer.quant.inputBits!,
          params: intPlaced.get(layer.name)!.invScale, memory: 0, memoryLength: 0 });
      }
      const f32 = floatOf.get(layer.name);
      if (f32 !== undefined) {
        steps.push({ ...main, op: OP_DEQUANTIZE, out: f32, x: main.out, rows: layerOutputSize(layer), act: intOutput(layer).bits,
          memory: 0, memoryLength: 0, params: 0 });
      }
      return steps;
    };
    /** Where the host reads a layer's output as f32. */
    const floatOutput = (name: string): number => floatOf.get(name) ?? output.get(name)!;
    /** A gate's decision layer is followed by the step that turns its output into the gate's channel mask. */
    const withDecision = (layer: LayerSpec): Step[] => {
      const g = decisionOf.get(layer.name);
      if (g === undefined) return stepsOf(layer);
      const decide: Step = { ...stepOf(layer), op: OP_GATE_DECISION, out: decisionMasks[g], x: output.get(layer.name)!,
        rows: header.gates[g].channels, gate: g, memory: 0, memoryLength: 0, params: 0 };
      return [...stepsOf(layer), decide];
    };
    const programOf = (layers: Set<string>, exitOutput: string): number => writeProgram(core, stateHeader,
      floatOutput(exitOutput), header.layers.filter((l) => layers.has(l.name)).flatMap(withDecision));
    const programs = header.exits.map((exit) => programOf(new Set(exit.layers), exit.output));
    const continuations = header.exits.map((from) => header.exits.map((to) => (
      programOf(new Set(to.layers.filter((name) => !from.layers.includes(name))), to.output))));
    const speechSlot = speechOutput === undefined ? -1 : floatOutput(speechOutput) >>> 2;
    const state: CompiledState = {
      engineId, programs, continuations, zeroOnReset, gateSlots: gateMasks >>> 2, speechSlot, frame: -1, outputs: output,
      activeSlots: gateActive >>> 2, baseRatio: 1, ratio: Number.NaN, ratioBiases,
    };
    applyRatio(state, 1);
    return state;
  }

  function compiled(state: EngineState): CompiledState {
    if (state.engineId !== engineId) {
      throw new InvalidOptionError('this engine state belongs to another engine; create states with engine.createState()');
    }
    return state as CompiledState;
  }

  function resetState(state: EngineState): void {
    const s = compiled(state);
    const z = s.zeroOnReset;
    for (let i = 0; i < z.length; i += 2) k.vecFill(z[i], 0, z[i + 1]);
    s.frame = -1;
  }

  function checkedExit(exit: number): number {
    if (!(exit >= 0 && exit < exits.length && Number.isInteger(exit))) {
      throw new InvalidOptionError(`exit ${exit} does not exist; this model has exits 0…${exits.length - 1}`);
    }
    return exit;
  }

  /** Writes the decision's gate masks into the state's slots (the programs read them there). */
  function setGateMasks(s: CompiledState, masks: ArrayLike<number> | undefined): void {
    if (gates.length === 0) return;
    const heap = core.heapI32();
    for (let g = 0; g < gates.length; g++) heap[s.gateSlots + g] = masks === undefined ? 0 : masks[g];
  }

  /** Recomputes the effective biases when the frame's ratio differs from the one they hold. */
  function applyRatio(s: CompiledState, ratio: number): void {
    if (ratio === s.ratio) return;
    writeRatioBiases(core.heapF32(), s.ratioBiases, ratio);
    s.ratio = ratio;
  }

  function run(state: EngineState, featuresPtr: number, maskPtr: number, decision: Decision): void {
    const s = compiled(state);
    const program = s.programs[checkedExit(decision.exit)];
    setGateMasks(s, decision.gateMasks);
    if (gates.length > 0) {
      core.heapI32().fill(-1, s.activeSlots, s.activeSlots + gates.length);
      applyRatio(s, decision.gateRatio === undefined ? s.baseRatio : clampGateRatio(decision.gateRatio));
    }
    s.frame++;
    k.runProgram(program, featuresPtr, maskPtr, s.frame);
  }

  function extend(state: EngineState, maskPtr: number, fromExit: number, decision: Decision): void {
    const s = compiled(state);
    if (s.frame < 0) throw new InvalidOptionError('extend continues a frame: call run first');
    const program = s.continuations[checkedExit(fromExit)][checkedExit(decision.exit)];
    setGateMasks(s, decision.gateMasks);
    k.runProgram(program, 0, maskPtr, s.frame);
  }

  function speechProbability(state: EngineState): number {
    const slot = compiled(state).speechSlot;
    return slot < 0 ? Number.NaN : core.heapF32()[slot];
  }

  function layerOutput(state: EngineState, layerName: string): Float32Array {
    const s = compiled(state);
    const layer = header.layers.find((l) => l.name === layerName);
    if (layer === undefined) {
      throw new InvalidOptionError(`model "${header.name}" has no layer "${layerName}"; it has: ${header.layers.map((l) => l.name).join(', ')}`);
    }
    const size = layerOutputSize(layer);
    const ptr = s.outputs.get(layerName)!;
    if (!isIntLayer(layer)) return core.f32(ptr, size).slice();
    const { scale } = intOutput(layer);
    const codes = new Int16Array(core.memory.buffer, ptr, size);
    return Float32Array.from(codes, (q) => q * scale);
  }

  function setGateRatio(state: EngineState, ratio: number): number {
    const s = compiled(state);
    s.baseRatio = clampGateRatio(ratio);
    return s.baseRatio;
  }

  function activeChannels(state: EngineState, gate: number): number {
    return core.heapI32()[compiled(state).activeSlots + gate];
  }

  const hasSpeechHead = speechOutput !== undefined;
  return {
    exits, gates, bins, weightBytes, skippedState, hasSpeechHead, createState, resetState, run, extend, speechProbability, layerOutput,
    setGateRatio, activeChannels,
  };
}
