// The WASM core's exports (the contract in docs/internals.md, "WASM core"). Pointer-only:
// every argument is a byte offset into the exported memory or a scalar.

export { alloc } from './memory';
export { resetCounters, macCount, weightBytesRead } from './counters';
export { fftPlan, rfft, irfft } from './fft';
export { stftCreate, stftAnalyze, stftSynthesize, stftReset } from './stft';
export { logPower, applyMask } from './features';
export { resamplerCreate, resamplerProcess, resamplerMaxOut, resamplerDelay, resamplerReset } from './resampler';
export { highbandCreate, highbandReset, highbandPush, highbandGain, highbandMix } from './highband';
export { dense, denseScalar, denseMasked, denseColsMasked } from './dense';
export { gruStep } from './gru';
export { dwConvStep, dwConvStateLength } from './dwconv';
export { runProgram } from './program';
export { analyzeHop, synthesizeHop } from './hop';
export { activate } from './activations';
export { vecAdd, vecCopy, vecFill, sanitize } from './vector';
export { ceilingKernel } from './ceiling';
export { intGemv } from './int-gemv';
export { intDense, intDenseSparse } from './int-dense';
export { intGruStep, intGruGates, intGruStepSparse } from './int-gru';
export { intCsrGemv, intBlockGemv, intSparseGemv } from './int-sparse';
export { requantize } from './requant';
export { quantizeInput, dequantizeMask } from './int-boundary';
export { intCeilingKernel } from './int-ceiling';
