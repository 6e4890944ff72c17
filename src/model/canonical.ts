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
  gate: ['name', 'channels', 'expand', 'depthwise', 'project'],
  speechPresence: ['output'],
  tensor: ['name', 'dtype', 'shape', 'offset', 'byteLength', 'scale', 'zeroPoint', 'values', 'nnz', 'indexBits', 'block'],
} as const;

/** Key order of each layer op. */
export const LAYER_KEY_ORDER: Record<string, readonly string[]> = {
  dense: ['name', 'op', 'input', 'in', 'out', 'activation', 'weight', 'bias'],
  gru: ['name', 'op', 'input', 'in', 'hidden', 'weightIh', 'weightHh', 'biasIh', 'biasHh'],
  dwconv: ['name', 'op', 'input', 'channels', 'kernel', 'dilation', 'activation', 'weight', 'bias'],
  add: ['name', 'op', 'inputs', 'size', 'activation'],
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

/** The header as the file stores it (before space padding). */
export function canonicalHeaderJson(header: ModelHeader): string {
  const top = ordered(header, KEY_ORDER.header) as Json;
  top.stft = ordered(top.stft, KEY_ORDER.stft);
  top.features = ordered(top.features, KEY_ORDER.features);
  top.layers = orderedList(top.layers, layerKeys);
  top.exits = orderedList(top.exits, () => KEY_ORDER.exit);
  top.gates = orderedList(top.gates, () => KEY_ORDER.gate);
  top.tensors = orderedList(top.tensors, () => KEY_ORDER.tensor);
  top.speechPresence = ordered(top.speechPresence, KEY_ORDER.speechPresence);
  return JSON.stringify(top);
}
