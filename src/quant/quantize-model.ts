/**
 * A float model file → an integer one (docs/integer.md, "Model file"): every `dense` layer becomes
 * `dense-int`, every `gru` becomes `gru-int`, under the same names; everything else in the header is
 * kept. The same bytes as training/quant/export_int.py for the same bits and scales.
 */
import type { TensorData } from '../model/encode-tensor.js';
import type { LayerSpec, Model, ModelHeader } from '../model/types.js';
import { narrowIntArrays } from '../model/narrow-ints.js';
import { writeModel } from '../model/write.js';
import { checkBitConfig, quantizableLayers, type BitConfig, type DenseBits, type GruBits } from './bit-config.js';
import { convertDense, convertGru, pow2Scale, type InputCodes } from './convert.js';
import { checkQuantScales, type DenseScales, type GruScales, type QuantScales } from './scales.js';

/** What the integer model is called. */
export interface QuantizedModelMeta {
  name: string;
  description: string;
}

/**
 * The integer model file that `bits` and `scales` make of float `model` (the features' codes at
 * scale `f32(scales.features)`). Its provenance is the float one plus
 * `quantization: { from: <float name>, bits, scales }`.
 * @throws InvalidOptionError for a model with layers other than float dense/gru, or bits or scales
 *   that do not fit it (or whose weights could overflow an int32 accumulator); ModelFormatError if
 *   the result fails the reader's checks.
 */
export function quantizeModel(model: Model, bits: BitConfig, scales: QuantScales, meta: QuantizedModelMeta): Uint8Array {
  const header = model.header;
  const checkedBits = checkBitConfig(bits, header);
  const checkedScales = checkQuantScales(scales, header);
  // The file stores the features' scale as an f32 (docs/integer.md, "Float boundaries"): every multiplier uses that value.
  const featureCodes = { bits: checkedBits.features, scale: Math.fround(checkedScales.features), fromFeatures: true };
  const codesOf = new Map<string, InputCodes>([['features', featureCodes]]);
  const layers: LayerSpec[] = [];
  const tensors: Record<string, TensorData> = {};
  for (const layer of quantizableLayers(header)) {
    const input = { ...codesOf.get(layer.input)!, fromFeatures: layer.input === 'features' };
    const layerScales = checkedScales.layers[layer.name];
    if (layer.op === 'gru') {
      const b = checkedBits.layers[layer.name] as GruBits;
      const converted = convertGru(layer, model.tensor(layer.weightIh), model.tensor(layer.weightHh), model.tensor(layer.biasIh),
        model.tensor(layer.biasHh), b, input, layerScales as GruScales);
      layers.push(converted.layer);
      Object.assign(tensors, converted.tensors);
      codesOf.set(layer.name, { bits: b.h, scale: pow2Scale(b.h), fromFeatures: false });
    } else {
      const b = checkedBits.layers[layer.name] as DenseBits;
      const converted = convertDense(layer, model.tensor(layer.weight), model.tensor(layer.bias), b, input, layerScales as DenseScales);
      layers.push(converted.layer);
      Object.assign(tensors, converted.tensors);
      codesOf.set(layer.name, { bits: b.out, scale: converted.layer.quant.outputScale, fromFeatures: false });
    }
  }
  const { tensors: _floatTensors, ...rest } = header;
  const intHeader: Omit<ModelHeader, 'tensors'> = {
    ...rest, name: meta.name, description: meta.description, layers,
    // As given (their own key order), like export_int.py, which copies its JSON files.
    provenance: { ...header.provenance, quantization: { from: header.name, bits, scales } },
  };
  return writeModel(intHeader, narrowIntArrays(layers, tensors));
}
