/** The golden GRU model (tests/fixtures/golden/gru.thm) quantized at w8a16 with the golden calibration peaks: what the prune tests prune. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../src/model/read.js';
import type { Model } from '../src/model/types.js';
import { homogeneousConfig } from '../src/quant/bit-config.js';
import { scalesFromPeaks } from '../src/quant/calibrate.js';
import { quantizeModel } from '../src/quant/quantize-model.js';

const golden = (name: string): Uint8Array => new Uint8Array(readFileSync(join(process.cwd(), 'tests', 'fixtures', 'golden', name)));

/** The float golden GRU model. */
export const floatGru = readModel(golden('gru.thm'));

/** Its w8a16 integer model. */
export function intGru(): Model {
  const bits = homogeneousConfig(floatGru.header, 8, 16);
  const { features, ...layers } = JSON.parse(new TextDecoder().decode(golden('int-calibration.json'))).peaks;
  const scales = scalesFromPeaks(floatGru.header, { features, layers }, bits);
  return readModel(quantizeModel(floatGru, bits, scales, { name: 'golden-gru-w8a16', description: 'test' }));
}
