/** The tensors each layer reads. */
import type { LayerSpec } from './types.js';

/** Names of the tensors `layer` reads, in its field order (none for `add`). */
export function layerTensors(layer: LayerSpec): string[] {
  switch (layer.op) {
    case 'dense': return layer.ratioWeight === undefined ? [layer.weight, layer.bias] : [layer.weight, layer.bias, layer.ratioWeight];
    case 'dwconv': return [layer.weight, layer.bias];
    case 'gru': return [layer.weightIh, layer.weightHh, layer.biasIh, layer.biasHh];
    case 'add': return [];
    case 'dense-int': return [layer.weight, layer.bias, layer.multiplier, layer.shift, ...(layer.table === null ? [] : [layer.table])];
    case 'gru-int': return [...Object.values(layer.weights), layer.biasIh, layer.biasHh, layer.multiplier, layer.shift,
      ...Object.values(layer.tables)];
  }
}
