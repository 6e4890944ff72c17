/** The tensors each layer reads. */
import type { LayerSpec } from './types.js';

/** Names of the tensors `layer` reads, in its field order (none for `add`). */
export function layerTensors(layer: LayerSpec): string[] {
  switch (layer.op) {
    case 'dense': case 'dwconv': return [layer.weight, layer.bias];
    case 'gru': return [layer.weightIh, layer.weightHh, layer.biasIh, layer.biasHh];
    case 'add': return [];
  }
}
