/** Dense multiply-accumulate counts, the "macsDense" baseline that telemetry compares against. */
import { InvalidOptionError } from '../errors.js';
import type { GateSpec, LayerSpec, ModelHeader } from './types.js';

/** MACs of one frame through `layer` with every channel on. */
export function layerMacs(layer: LayerSpec): number {
  switch (layer.op) {
    case 'dense': case 'dense-int': return layer.in * layer.out;
    case 'gru': case 'gru-int': return 3 * layer.hidden * (layer.in + layer.hidden);
    case 'dwconv': return layer.channels * layer.kernel;
    case 'add': return 0;
  }
}

/** MACs of one frame through every layer of exit `exitIndex`, nothing skipped. */
export function denseMacsPerFrame(header: ModelHeader, exitIndex: number): number {
  const exit = header.exits[exitIndex];
  if (!Number.isInteger(exitIndex) || exit === undefined) {
    throw new InvalidOptionError(
      `exit index ${exitIndex} does not exist; model "${header.name}" has exits 0…${header.exits.length - 1}`);
  }
  const byName = new Map(header.layers.map((layer) => [layer.name, layer]));
  return exit.layers.reduce((sum, name) => sum + layerMacs(byName.get(name)!), 0);
}

/**
 * MACs of one frame of `gate`'s decision network: its decision layer and the layers it reads, back
 * to the block input (what `expand` reads); 0 for a gate without a decision layer.
 */
export function gateMacsPerFrame(header: ModelHeader, gate: GateSpec): number {
  const byName = new Map(header.layers.map((layer) => [layer.name, layer]));
  const blockInput = (byName.get(gate.expand) as { input: string }).input;
  const seen = new Set<string>();
  const walk = (name: string | undefined): number => {
    const layer = name === undefined || name === blockInput || seen.has(name) ? undefined : byName.get(name);
    if (layer === undefined) return 0;
    seen.add(name!);
    const inputs = layer.op === 'add' ? layer.inputs : [layer.input];
    return layerMacs(layer) + inputs.reduce((sum, input) => sum + walk(input), 0);
  };
  return walk(gate.decision);
}
