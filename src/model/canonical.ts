/**
 * The canonical JSON text of a header: compact, known keys in the order docs/model-format.md
 * lists them, then any other keys in their own order. `training/thm.py` implements the same
 * rules, which is what makes the TS and Python writers byte-identical.
 */
import type { ModelHeader } from './types.js';

/** Key order of each known object in the header. */
export const KEY_ORDER = {
  header: ['format', 'version', 'name', 'description', 'architecture', 'sampleRate', 'stft', 'features',
    'layers', 'exits', 'gates', 'skippedState', 'tensors', 'provenance', 'speechPresence'],
  stft: ['window', 'windowLength', 'hop', 'fftSize'],
  features: ['type', 'epsilon', 'bins'],
  exit: ['name', 'output', 'layers'],
  gate: ['name', 'channels', 'expand', 'depthwise', 'project', 'decision'],
  speechPresence: ['output'],
  tensor: ['name', 'dtype', 'shape', 'offset', 'byteLength', 'scale', 'zeroPoint', 'values', 'nnz', 'indexBits', 'rowPtrBits', 'block'],
} as const;

/** Key order of each layer op. */
export const LAYER_KEY_ORDER: Record<string, readonly string[]> = {
  dense: ['name', 'op', 'input', 'in', 'out', 'activation', 'weight', 'bias', 'ratioWeight'],
  gru: ['name', 'op', 'input', 'in', 'hidden', 'weightIh', 'weightHh', 'biasIh', 'biasHh'],
  dwconv: ['name', 'op', 'input', 'channels', 'kernel', 'dilation', 'activation', 'weight', 'bias'],
  add: ['name', 'op', 'inputs', 'size', 'activation'],
  'dense-int': ['name', 'op', 'input', 'in', 'out', 'activation', 'weight', 'bias', 'multiplier', 'shift', 'table', 'quant'],
  'gru-int': ['name', 'op', 'input', 'in', 'hidden', 'weights', 'biasIh', 'biasHh', 'multiplier', 'shift', 'tables', 'quant'],
};

/** Key order of an object and, by field, of the objects inside it. */
export interface KeyTree {
  keys: readonly string[];
  fields?: Readonly<Record<string, KeyTree>>;
}

const RZN: KeyTree = { keys: ['r', 'z', 'n'] };
const INPUT_QUANT = ['inputBits', 'inputScale', 'invInputScale', 'biasBits', 'preBits', 'preScale', 'tableBits'];

/** Key order of the objects inside a layer of each op that has some (docs/integer.md, "Model file"). */
export const LAYER_FIELD_KEY_ORDER: Readonly<Record<string, Readonly<Record<string, KeyTree>>>> = {
  'dense-int': { quant: { keys: [...INPUT_QUANT, 'outputBits', 'outputScale'] } },
  'gru-int': {
    weights: { keys: ['ir', 'iz', 'in', 'hr', 'hz', 'hn'] },
    tables: RZN,
    quant: { keys: [...INPUT_QUANT, 'bits'], fields: { preBits: RZN, preScale: RZN, tableBits: RZN, bits: { keys: ['r', 'z', 'n', 'h'] } } },
  },
};

type Json = Record<string, unknown>;

function ordered(value: unknown, keys: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const source = value as Json;
  const out: Json = {};
  for (const key of keys) if (key in source) out[key] = source[key];
  for (const key of Object.keys(source)) if (!(key in out)) out[key] = source[key];
  return out;
}

function orderedList(value: unknown, keysOf: (item: Json) => readonly string[]): unknown {
  return Array.isArray(value) ? value.map((item) => ordered(item, keysOf(item as Json))) : value;
}

function layerKeys(layer: Json): readonly string[] {
  const op = layer?.op;
  return (typeof op === 'string' && Object.hasOwn(LAYER_KEY_ORDER, op)) ? LAYER_KEY_ORDER[op] : ['name', 'op'];
}

/** `value` with its keys, and those of the objects in `tree.fields`, in canonical order. */
function orderedTree(value: unknown, tree: KeyTree): unknown {
  const out = ordered(value, tree.keys);
  if (out === value || tree.fields === undefined) return out;
  const obj = out as Json;
  for (const [field, sub] of Object.entries(tree.fields)) if (field in obj) obj[field] = orderedTree(obj[field], sub);
  return obj;
}

function orderedLayer(layer: unknown): unknown {
  const op = (layer as Json)?.op;
  const fields = typeof op === 'string' && Object.hasOwn(LAYER_FIELD_KEY_ORDER, op) ? LAYER_FIELD_KEY_ORDER[op] : undefined;
  return orderedTree(layer, { keys: layerKeys(layer as Json), fields });
}

/** The header as the file stores it (before space padding). */
export function canonicalHeaderJson(header: ModelHeader): string {
  const top = ordered(header, KEY_ORDER.header) as Json;
  top.stft = ordered(top.stft, KEY_ORDER.stft);
  top.features = ordered(top.features, KEY_ORDER.features);
  top.layers = Array.isArray(top.layers) ? top.layers.map(orderedLayer) : top.layers;
  top.exits = orderedList(top.exits, () => KEY_ORDER.exit);
  top.gates = orderedList(top.gates, () => KEY_ORDER.gate);
  top.tensors = orderedList(top.tensors, () => KEY_ORDER.tensor);
  top.speechPresence = ordered(top.speechPresence, KEY_ORDER.speechPresence);
  return JSON.stringify(top);
}
