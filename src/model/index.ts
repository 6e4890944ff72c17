/** The model file: types, reader, writer and cost helpers (browser-safe; the registry is Node-only). */
export type {
  Activation, AddLayer, Architecture, DenseLayer, DwConvLayer, ExitSpec, FeatureSpec, GateSpec, GruLayer,
  IntDtype, LayerOp, LayerSpec, Model, ModelHeader, StftSpec, TensorDtype, TensorSpec, ValueDtype,
} from './types.js';
export { readModel } from './read.js';
export { writeModel } from './write.js';
export type {
  F32TensorData, I32TensorData, PackedTensorData, SparseTensorData, TensorData,
} from './encode-tensor.js';
export { denseMacsPerFrame, layerMacs } from './macs.js';
export { describeModel } from './describe.js';
export { outputSize } from './validate-layers.js';
export { V1_FEATURES, V1_SAMPLE_RATE, V1_STFT } from './validate-header.js';
