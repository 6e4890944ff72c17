/**
 * Activation scales of an integer model (the JSON the calibration writes and export_int.py reads):
 * the features' scale, `out` for none/relu dense layers, `pre` for sigmoid/tanh dense layers and
 * GRU gates. Every other scale is a power of two fixed by a width.
 */
import { InvalidOptionError } from '../errors.js';
import type { GateTriple, ModelHeader } from '../model/types.js';
import { isTabled, quantizableLayers } from './bit-config.js';

/** A none/relu dense layer's output scale, or a sigmoid/tanh one's pre-activation scale. */
export type DenseScales = { out: number } | { pre: number };

export interface GruScales {
  pre: GateTriple;
}

export interface QuantScales {
  features: number;
  layers: Record<string, DenseScales | GruScales>;
}

type Json = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new InvalidOptionError(`scales: ${path} ${message}`);
}

function objectAt(value: unknown, path: string, keys: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const wrong = Object.keys(value).filter((key) => !keys.includes(key));
  const missing = keys.filter((key) => !Object.hasOwn(value, key));
  if (wrong.length > 0 || missing.length > 0) fail(path, `must have exactly the keys ${keys.join(', ')}`);
  return value as Json;
}

function scaleAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    fail(path, `must be a positive finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks parsed JSON scales against `header`: one entry for each dense and gru layer, of the kind
 * its activation needs, every scale positive and finite.
 * @throws InvalidOptionError naming the first bad entry.
 */
export function checkQuantScales(value: unknown, header: ModelHeader): QuantScales {
  const layers = quantizableLayers(header);
  const top = objectAt(value, 'the scales', ['features', 'layers']);
  const entries = objectAt(top.layers, 'layers', layers.map((l) => l.name));
  const checked: QuantScales['layers'] = {};
  for (const layer of layers) {
    const path = `layers.${layer.name}`;
    if (layer.op === 'gru') {
      const pre = objectAt(objectAt(entries[layer.name], path, ['pre']).pre, `${path}.pre`, ['r', 'z', 'n']);
      checked[layer.name] = { pre: { r: scaleAt(pre.r, `${path}.pre.r`), z: scaleAt(pre.z, `${path}.pre.z`), n: scaleAt(pre.n, `${path}.pre.n`) } };
    } else {
      const key = isTabled(layer) ? 'pre' : 'out';
      const entry = objectAt(entries[layer.name], path, [key]);
      checked[layer.name] = { [key]: scaleAt(entry[key], `${path}.${key}`) } as DenseScales;
    }
  }
  return { features: scaleAt(top.features, 'features'), layers: checked };
}
