/** Validates the optional `speechPresence` header field (docs/model-format.md, "Speech presence"). */
import { asObject, fail, getString } from './fields.js';
import type { ExitSpec, LayerSpec, SpeechPresenceSpec } from './types.js';

/**
 * `undefined` when the header has no speech-presence head; otherwise its output must be a dense
 * (or dense-int) layer of one sigmoid unit that every exit runs, so every frame has a probability.
 */
export function validateSpeechPresence(value: unknown, layers: LayerSpec[], exits: ExitSpec[]): SpeechPresenceSpec | undefined {
  if (value === undefined) return undefined;
  const obj = asObject(value, 'speechPresence');
  const output = getString(obj, 'output', 'speechPresence');
  const layer = layers.find((l) => l.name === output);
  if ((layer?.op !== 'dense' && layer?.op !== 'dense-int') || layer.out !== 1 || layer.activation !== 'sigmoid') {
    fail('speechPresence.output', 'the name of a dense or dense-int layer with out = 1 and activation sigmoid', output);
  }
  const missing = exits.find((exit) => !exit.layers.includes(output));
  if (missing !== undefined) fail('speechPresence.output', `a layer every exit runs; exit "${missing.name}" does not run it`, output);
  return { output };
}
