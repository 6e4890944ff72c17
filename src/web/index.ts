/**
 * `tinyhush/web`: tinyhush in Web Audio graphs. `createDenoiserNode(context, options)` returns an
 * `AudioWorkletNode` that denoises its input; the processor file is `tinyhush/web-processor`
 * (docs/browser.md). Everything in the core entry (`createDenoiser` for your own worklet or
 * worker, `readModel`, the error classes) is re-exported.
 */
export { createDenoiserNode, type DenoiserNode, type DenoiserNodeOptions } from './node.js';
export { PROCESSOR_NAME, type WorkletTelemetry } from './protocol.js';
export * from '../index.js';
