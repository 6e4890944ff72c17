/** The output must not depend on how the input is cut into chunks, at the model rate and resampled. */
import { loadGolden } from './engine-fixtures.js';
import { denoiseInChunks, testAudio } from './stream-models.js';

const model = loadGolden('gru').bytes;

describe.each([16000, 48000])('at %i Hz', (sampleRate) => {
  const input = testAudio(Math.round(sampleRate * 0.35), sampleRate);

  const run = (chunk: number): Float32Array => denoiseInChunks(model, sampleRate, input, chunk);

  test('chunks of 1, 127 and 480 samples give the same output as one whole chunk, bit for bit', () => {
    const whole = run(input.length);
    expect(whole.some((v) => v !== 0)).toBe(true);
    for (const size of [1, 127, 480]) expect(run(size)).toEqual(whole);
  });
});
