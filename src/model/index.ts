/** The model file: types, reader, writer and cost helpers (browser-safe; the registry is Node-only). */
export type {
  Activation, AddLayer, Architecture, DenseLayer, DwConvLayer, ExitSpec, FeatureSpec, GateSpec, GruLayer,
  LayerOp, LayerSpec, Model, ModelHeader, StftSpec, TensorDtype, TensorSpec,
} from './types.js';
export { readModel } from './read.js';
export { writeModel, type TensorData } from './write.js';
export { denseMacsPerFrame, layerMacs } from './macs.js';
export { describeModel } from './describe.js';
export { outputSize } from './validate-layers.js';
export { V1_FEATURES, V1_SAMPLE_RATE, V1_STFT } from './validate-header.js';
