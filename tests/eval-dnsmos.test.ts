/**
 * @jest-environment ./tests/fixtures/eval/node-realm-environment.cjs
 */
import path from 'node:path';
import { dnsmosHopStarts, loadDnsmos } from '../src/eval/dnsmos.js';
import { InvalidOptionError } from '../src/errors.js';
import { dnsmosAvailable } from './fixtures/eval/dnsmos-runtime.js';
import { SHARED_DIR, readSharedFlac, sharedAvailable } from './fixtures/eval/shared-data.js';

const MODEL_DIR = path.join(SHARED_DIR, 'models', 'dnsmos');
const SPEECH = 'data/speech/librispeech/103-1240-0000.flac';

describe('DNSMOS hop schedule (dnsmos_local.py)', () => {
  const seconds = (s: number) => s * 16000;

  test('one hop for 9 and 10 s, T − 9 from 10 s up', () => {
    expect(dnsmosHopStarts(seconds(9.5))).toEqual([0]);
    expect(dnsmosHopStarts(seconds(10))).toEqual([0]);
    expect(dnsmosHopStarts(seconds(14.085))).toEqual([0, 16000, 32000, 48000, 64000]);
  });

  test('drops hops 7…23 and 119…122 unless asked to keep them', () => {
    const hops = (s: number, keep = false) => dnsmosHopStarts(seconds(s), keep).map((start) => start / 16000);
    expect(hops(20)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(hops(20, true)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hops(40)).toEqual([0, 1, 2, 3, 4, 5, 6, 24, 25, 26, 27, 28, 29, 30]);
    expect(hops(140).filter((i) => i >= 118 && i <= 124)).toEqual([118, 123, 124]);
  });
});

describe('DNSMOS P.835 scores', () => {
  test('check values of the model README for librispeech 103-1240-0000', async () => {
    if (!sharedAvailable(SPEECH) || !await dnsmosAvailable()) return;
    const { samples } = await readSharedFlac(SPEECH);
    const scorer = await loadDnsmos(MODEL_DIR);
    try {
      const scores = await scorer.score(samples);
      expect(scores.hops).toBe(5);
      expect(scores.sigRaw).toBeCloseTo(4.2284, 3);
      expect(scores.bakRaw).toBeCloseTo(4.2107, 3);
      expect(scores.ovrlRaw).toBeCloseTo(3.8805, 3);
      expect(scores.sig).toBeCloseTo(3.6658, 3);
      expect(scores.bak).toBeCloseTo(4.0440, 3);
      expect(scores.ovrl).toBeCloseTo(3.3557, 3);
      await expect(scorer.score(new Float32Array(0))).rejects.toThrow(InvalidOptionError);
    } finally {
      await scorer.release();
    }
  });
});
