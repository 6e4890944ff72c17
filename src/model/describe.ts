/** A human-readable summary of a model, printed by `tinyhush info`. */
import { describeTensors } from './describe-tensors.js';
import { intBits } from './encodings.js';
import { engineMemory } from './engine-memory.js';
import { layerTensors } from './layer-tensors.js';
import { denseMacsPerFrame, gateMacsPerFrame, layerMacs } from './macs.js';
import { isIntLayer, type IntLayerSpec, type LayerSpec, type Model, type ModelHeader } from './types.js';
import { intOutput } from './validate-int.js';
import { outputSize } from './validate-layers.js';

/** Bit widths of an integer layer's operators: weights (from their dtypes), input, bias, pre-activations, tables, outputs. */
function intBitsText(layer: IntLayerSpec, model: Model): string {
  const h = model.header;
  const dtypeBits = (name: string): number => {
    const t = h.tensors.find((spec) => spec.name === name)!;
    return (intBits(t.dtype) ?? intBits(t.values))!; // a sparse weight's width is that of its values
  };
  const producer = h.layers.find((l) => l.name === layer.input);
  const inBits = layer.quant.inputBits ?? intOutput(producer as IntLayerSpec).bits;
  if (layer.op === 'dense-int') {
    const q = layer.quant;
    const table = q.preBits === null ? '' : ` pre ${q.preBits} table ${q.tableBits}`;
    return `bits: w ${dtypeBits(layer.weight)} input ${inBits} bias ${q.biasBits}${table} out ${q.outputBits}`;
  }
  const q = layer.quant;
  const rzn = (t: { r: number; z: number; n: number }): string => `${t.r}/${t.z}/${t.n}`;
  const weights = Object.entries(layer.weights).map(([key, name]) => `${key} ${dtypeBits(name)}`).join(' ');
  return `bits: ${weights} input ${inBits} bias ${q.biasBits} pre r/z/n ${rzn(q.preBits)} table ${rzn(q.tableBits)} ` +
    `out r/z/n ${rzn(q.bits)} h ${q.bits.h}`;
}

function layerLine(layer: LayerSpec, model: Model): string {
  const source = layer.op === 'add' ? layer.inputs.join(' + ') : layer.input;
  const activation = layer.op === 'gru' || layer.op === 'gru-int' ? '' : ` ${layer.activation}`;
  const bits = isIntLayer(layer) ? `; ${intBitsText(layer, model)}` : '';
  const extra = layer.op === 'dwconv' ? ` kernel ${layer.kernel} dilation ${layer.dilation}` : '';
  const shapes = layerTensors(layer).map((name) => `[${model.header.tensors.find((t) => t.name === name)!.shape}]`).join(' ');
  return `  ${layer.name}: ${layer.op} ${source} → ${outputSize(layer)}${extra}${activation}` +
    `${shapes ? ` ${shapes}` : ''}, ${layerMacs(layer)} MACs${bits}`;
}

/** The header-only figure the reader checks against the limit: exact for float layers, a bound for integer ones. */
function engineLine(header: ModelHeader): string {
  const { engineBytes, stateBytes } = engineMemory(header);
  const integer = header.layers.some(isIntLayer);
  return integer
    ? `engine memory: at most ${engineBytes} bytes of weights and scratch, ${stateBytes} bytes per stream (integer weights counted as f32)`
    : `engine memory: ${engineBytes} bytes of weights as f32 and scratch, ${stateBytes} bytes per stream`;
}

/** Architecture, layers with shapes, exits with dense MACs per frame, gates, tensors (encodings, sizes), provenance. */
export function describeModel(model: Model): string {
  const h = model.header;
  return [
    `${h.name}: ${h.description}`,
    `architecture ${h.architecture}, ${h.sampleRate} Hz, STFT ${h.stft.window} ${h.stft.windowLength}/${h.stft.hop} ` +
      `(FFT ${h.stft.fftSize}), ${h.features.bins} ${h.features.type} bins, file ${model.bytes.length} bytes`,
    `layers (${h.layers.length}, execution order):`,
    ...h.layers.map((layer) => layerLine(layer, model)),
    `exits (${h.exits.length}, cheapest first):`,
    ...h.exits.map((e, i) => `  ${e.name}: mask from ${e.output}, ${denseMacsPerFrame(h, i)} dense MACs/frame (${e.layers.join(', ')})`),
    `gates (${h.gates.length}):`,
    ...h.gates.map((g) => `  ${g.name}: ${g.channels} channels, ${g.expand} → ${g.depthwise} → ${g.project}` +
      (g.decision === undefined ? ', masks from the caller' : `, decision ${g.decision} (gate network ${gateMacsPerFrame(h, g)} MACs/frame)`)),
    ...describeTensors(h.tensors),
    engineLine(h),
    'provenance:',
    ...Object.entries(h.provenance).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
  ].join('\n');
}
