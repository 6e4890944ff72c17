/** createDenoiser validates every option and every call with typed errors that say what is allowed. */
import {
  createDenoiser, InvalidOptionError, ModelFormatError, readModel, TinyhushError, UnsupportedRateError,
} from '../src/index.js';
import { loadGolden } from './engine-fixtures.js';

const model = loadGolden('gru').bytes; // three exits

test.each([
  ['an unknown key', { model, sampleRate: 16000, chanels: 2 }, /unknown option\(s\) chanels; supported: model, sampleRate, channels, exit/],
  ['no options object', undefined, /options object/],
  ['a missing model', { sampleRate: 16000 }, /model must be a Uint8Array/],
  ['a model name (Node resolves names)', { model: 'nsnet-ee', sampleRate: 16000 }, /tinyhush\/node/],
  ['a sampleRate of the wrong type', { model, sampleRate: '16000' }, /sampleRate must be a number/],
  ['0 channels', { model, sampleRate: 16000, channels: 0 }, /channels must be an integer from 1 to 8, got 0/],
  ['9 channels', { model, sampleRate: 16000, channels: 9 }, /from 1 to 8, got 9/],
  ['1.5 channels', { model, sampleRate: 16000, channels: 1.5 }, /got 1.5/],
  ['exit past the last', { model, sampleRate: 16000, exit: 3 }, /exit must be an integer from 0 to 2 \(this model has 3 exits\), got 3/],
  ['a negative exit', { model, sampleRate: 16000, exit: -1 }, /got -1/],
  ['an exit of the wrong type', { model, sampleRate: 16000, exit: '1' }, /got "1"/],
  ['an unknown WASM build', { model, sampleRate: 16000, wasmBuild: 'sse4' }, /wasmBuild must be 'auto', 'simd' or 'relaxed-simd', got "sse4"/],
])('%s is an InvalidOptionError', (_what, options, message) => {
  const create = () => createDenoiser(options as never);
  expect(create).toThrow(InvalidOptionError);
  expect(create).toThrow(message);
});

test('an unsupported rate is an UnsupportedRateError listing the supported rates', () => {
  const create = () => createDenoiser({ model, sampleRate: 11025 });
  expect(create).toThrow(UnsupportedRateError);
  expect(create).toThrow('supported rates: 8000, 16000, 22050, 24000, 32000, 44100, 48000 Hz');
});

test('corrupt model bytes are a ModelFormatError', () => {
  const corrupt = model.slice();
  corrupt[corrupt.length - 100] ^= 0xff;
  expect(() => createDenoiser({ model: corrupt, sampleRate: 16000 })).toThrow(ModelFormatError);
});

test('a parsed Model is accepted as well as bytes, with the same result', () => {
  const input = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7));
  const fromBytes = createDenoiser({ model, sampleRate: 16000 }).process(input);
  expect(createDenoiser({ model: readModel(model), sampleRate: 16000 }).process(input)).toEqual(fromBytes);
});

describe('process() arguments', () => {
  const stereo = createDenoiser({ model, sampleRate: 16000, channels: 2 });
  test.each([
    ['a mono array to a stereo denoiser', new Float32Array(10), /has 2 channels/],
    ['one channel of two', [new Float32Array(10)], /array of 2 Float32Arrays/],
    ['channels of unequal length', [new Float32Array(10), new Float32Array(11)], /equal length/],
    ['a plain number array', [[1, 2], [3, 4]], /Float32Array/],
  ])('%s is an InvalidOptionError', (_what, input, message) => {
    expect(() => stereo.process(input as never)).toThrow(message);
    expect(() => stereo.process(input as never)).toThrow(InvalidOptionError);
  });

  test('an output array that is too short is an InvalidOptionError', () => {
    const input = [new Float32Array(10), new Float32Array(10)];
    expect(() => stereo.process(input, [new Float32Array(10), new Float32Array(9)])).toThrow(/at least 10 samples/);
  });
});

test('after dispose() every call throws a TinyhushError with code DISPOSED', () => {
  const denoiser = createDenoiser({ model, sampleRate: 16000 });
  denoiser.dispose();
  for (const call of [() => denoiser.process(new Float32Array(4)), () => denoiser.flush(), () => denoiser.telemetry()]) {
    expect(call).toThrow(TinyhushError);
    expect(call).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  }
});
