/**
 * Guards the benchmark harness: every peer denoiser, run through the same path the benchmark
 * uses (resampling, input scale, delay alignment), must give sensible output, and the resampler
 * must be transparent enough not to be what the benchmark measures.
 */
import type { Peer } from '../bench/peers/peer.js';

interface SanityResult {
  ok: boolean;
  failures: string[];
  metrics: Record<string, number>;
}

// The harness is plain ESM JavaScript; import it untyped and give it the declared shapes.
const { peers } = (await import('../bench/peers/index.mjs' as string)) as { peers: Peer[] };
const { denoiseWithPeer } = (await import('../bench/peers/run-file.mjs' as string)) as {
  denoiseWithPeer: (peer: Peer, input: Float32Array) => Promise<Float32Array>;
};
const { checkDenoiserSanity } = (await import('../bench/lib/sanity.mjs' as string)) as {
  checkDenoiserSanity: (denoise: (x: Float32Array) => Promise<Float32Array>) => Promise<SanityResult>;
};
const { resample } = (await import('../bench/lib/resample.mjs' as string)) as {
  resample: (x: Float32Array, inRate: number, outRate: number) => Float32Array;
};

function tone(frequency: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * frequency * i) / rate));
}

/** Level in dB relative to a full-scale sine, ignoring the edges. */
function levelDb(x: Float32Array, edge: number): number {
  let sum = 0;
  for (let i = edge; i < x.length - edge; i++) sum += x[i] * x[i];
  return 10 * Math.log10(sum / (x.length - 2 * edge) / 0.5);
}

describe('resampler', () => {
  test('16 → 48 → 16 kHz round trip of an in-band tone is transparent and aligned', () => {
    const x = tone(1000, 16000, 0.5);
    const back = resample(resample(x, 16000, 48000), 48000, 16000);
    expect(back.length).toBe(x.length);
    let error = 0;
    for (let i = 800; i < x.length - 800; i++) error = Math.max(error, Math.abs(back[i] - x[i]));
    expect(error).toBeLessThan(1e-3);
  });

  test('48 → 16 kHz removes content above 8 kHz by at least 80 dB', () => {
    for (const frequency of [8100, 9000, 15000]) {
      expect(levelDb(resample(tone(frequency, 48000, 0.5), 48000, 16000), 800)).toBeLessThan(-80);
    }
    expect(levelDb(resample(tone(7000, 48000, 0.5), 48000, 16000), 800)).toBeGreaterThan(-0.1);
  });
});

describe.each(peers.map((peer) => [peer.name, peer] as const))('peer %s', (_name, peer) => {
  const unavailable = peer.unavailableReason?.() ?? null;
  const runOrSkip = unavailable ? test.skip : test;
  if (unavailable) console.warn(`Skipping ${peer.name}: ${unavailable}`);

  runOrSkip('gives sensible, aligned output on noisy speech-like audio', async () => {
    const result = await checkDenoiserSanity((noisy) => denoiseWithPeer(peer, noisy));
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

test('the sanity check rejects a pass-through that removes no noise', async () => {
  const result = await checkDenoiserSanity(async (noisy) => Float32Array.from(noisy));
  expect(result.ok).toBe(false);
  expect(result.failures).toEqual([expect.stringMatching(/noise in pauses only reduced to 1\.00×/)]);
});

test('the sanity check rejects a harness bug (output shifted by 5 ms)', async () => {
  const shifted = async (noisy: Float32Array) => {
    const out = new Float32Array(noisy.length);
    out.set(noisy.subarray(0, noisy.length - 80), 80);
    return out;
  };
  const result = await checkDenoiserSanity(shifted);
  expect(result.ok).toBe(false);
  expect(result.failures.join('\n')).toMatch(/lags the input by 80 samples/);
});
