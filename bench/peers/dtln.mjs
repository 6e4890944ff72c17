/**
 * DTLN (Westhausen & Meyer 2020, MIT) through onnxruntime-web's WASM backend in Node, one thread.
 * Two ONNX stages per 128-sample hop on a 512-sample block, recurrent states carried between
 * calls, exactly as `../shared/models/dtln/README.md` describes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { createRealFft } from '../lib/fft.mjs';
import { sharedDir } from '../lib/paths.mjs';

const BLOCK = 512;
const HOP = 128;
const BINS = BLOCK / 2 + 1;
const STATE_SHAPE = [1, 2, 128, 2];
const modelDir = join(sharedDir, 'models/dtln');

/** Sessions hold no stream state (that lives in the state tensors), so one pair serves all streams. */
let sessions;

async function openSession(file) {
  return ort.InferenceSession.create(await readFile(join(modelDir, file)), {
    executionProviders: ['wasm'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
}

/** @type {import('./peer.js').Peer} */
export default {
  id: 'dtln',
  name: 'DTLN (onnxruntime-web wasm)',
  sampleRate: 16000,
  frameSize: HOP,
  delaySamples: BLOCK - HOP,
  inputScale: 1,
  // Weights used once per block: stage 1 LSTM 2×128 on 257 bins + dense 128→257; stage 2
  // encoder 512→256, LSTM 2×128, dense 128→256, decoder 256→512. 983,680 MACs × 125 blocks/s.
  macsPerSecond: { value: 123e6, source: 'estimate, layer sizes of the DTLN paper × 125 blocks/s; FFTs not counted' },
  unavailableReason: () =>
    existsSync(join(modelDir, 'model_1.onnx')) && existsSync(join(modelDir, 'model_2.onnx'))
      ? null
      : `DTLN model files not found in ${modelDir} (set TINYHUSH_SHARED_DIR to the shared folder)`,
  async create() {
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    sessions ??= await Promise.all([openSession('model_1.onnx'), openSession('model_2.onnx')]);
    const [stage1, stage2] = sessions;
    const fft = createRealFft(BLOCK);
    const inputBlock = new Float32Array(BLOCK);
    const outputBlock = new Float32Array(BLOCK);
    const re = new Float64Array(BINS);
    const im = new Float64Array(BINS);
    const magnitude = new Float32Array(BINS);
    const timeBlock = new Float32Array(BLOCK);
    let state1 = new ort.Tensor('float32', new Float32Array(2 * 128 * 2), STATE_SHAPE);
    let state2 = new ort.Tensor('float32', new Float32Array(2 * 128 * 2), STATE_SHAPE);
    return {
      async processFrame(input) {
        inputBlock.copyWithin(0, HOP);
        inputBlock.set(input, BLOCK - HOP);
        fft.forward(inputBlock, re, im);
        for (let k = 0; k < BINS; k++) magnitude[k] = Math.hypot(re[k], im[k]);
        const out1 = await stage1.run({ input_2: new ort.Tensor('float32', magnitude, [1, 1, BINS]), input_3: state1 });
        state1 = out1.tf_op_layer_stack_2;
        const mask = out1.activation_2.data;
        // |X|·mask·e^{j∠X} is X·mask: scaling re and im keeps the noisy phase.
        for (let k = 0; k < BINS; k++) {
          re[k] *= mask[k];
          im[k] *= mask[k];
        }
        fft.inverse(re, im, timeBlock);
        const out2 = await stage2.run({ input_4: new ort.Tensor('float32', timeBlock, [1, 1, BLOCK]), input_5: state2 });
        state2 = out2.tf_op_layer_stack_5;
        const enhanced = out2.conv1d_3.data;
        outputBlock.copyWithin(0, HOP);
        outputBlock.fill(0, BLOCK - HOP);
        for (let i = 0; i < BLOCK; i++) outputBlock[i] += enhanced[i];
        return outputBlock.slice(0, HOP);
      },
      memoryBytes: () => NaN,
      dispose() {},
    };
  },
};
