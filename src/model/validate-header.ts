/** Validates a parsed JSON header against docs/model-format.md and returns it typed. */
import { engineMemory } from './engine-memory.js';
import { asObject, fail, getOneOf, getString, getText } from './fields.js';
import { LIMITS } from './limits.js';
import { validateExits, validateGates } from './validate-exits.js';
import { validateSpeechPresence } from './validate-presence.js';
import { validateLayers } from './validate-layers.js';
import { validateTensors } from './validate-tensors.js';
import type { Architecture, FeatureSpec, FormatVersion, ModelHeader, StftSpec, TensorSpec } from './types.js';
import { version2Feature } from './version.js';

/** What the v1 engine implements: 16 kHz, sqrt-Hann 320 / hop 160 / FFT 320, 161 log10-power bins. */
export const V1_SAMPLE_RATE = 16000;
export const V1_STFT: StftSpec = { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 };
export const V1_FEATURES: FeatureSpec = { type: 'log10-power', epsilon: 1e-12, bins: 161 };
const ARCHITECTURES: readonly Architecture[] = ['gru-mask', 'conv-mask'];
const ENGINE_NOTE = ' (the only value the v1 engine supports)';

function checkFixed<T extends object>(value: unknown, path: string, expected: T): T {
  const obj = asObject(value, path);
  for (const [key, want] of Object.entries(expected)) getOneOf(obj, key, path, [want], ENGINE_NOTE);
  return { ...expected };
}

/** A version 1 file uses only version 1 encodings. */
function checkVersion(version: FormatVersion, tensors: Iterable<TensorSpec>): void {
  if (version !== 1) return;
  for (const t of tensors) {
    const feature = version2Feature(t);
    if (feature !== null) fail(`tensor "${t.name}"`, `no ${feature} in a version 1 file (it needs format version 2)`);
  }
}

/**
 * Validates `json` as the header of a file of format `version` whose data section is `data`.
 * Throws `ModelFormatError` naming the first field that is wrong.
 */
export function validateHeader(json: unknown, data: Uint8Array, version: FormatVersion): ModelHeader {
  const top = asObject(json, 'header');
  getOneOf(top, 'format', 'header', ['tinyhush-model']);
  getOneOf(top, 'version', 'header', [version], ' (the same version as the file prefix)');
  const name = getString(top, 'name', 'header');
  const description = getText(top, 'description', 'header');
  const architecture = getOneOf(top, 'architecture', 'header', ARCHITECTURES);
  const sampleRate = getOneOf(top, 'sampleRate', 'header', [V1_SAMPLE_RATE], ENGINE_NOTE);
  const stft = checkFixed(top.stft, 'stft', V1_STFT);
  const features = checkFixed(top.features, 'features', V1_FEATURES);
  const tensorMap = validateTensors(top.tensors, data);
  checkVersion(version, tensorMap.values());
  const layers = validateLayers(top.layers, tensorMap, V1_FEATURES.bins, data);
  const exits = validateExits(top.exits, layers, V1_FEATURES.bins);
  const gates = validateGates(top.gates, layers, exits);
  const skippedState = getOneOf(top, 'skippedState', 'header', ['hold'] as const);
  const provenance = asObject(top.provenance, 'provenance');
  const speechPresence = validateSpeechPresence(top.speechPresence, layers, exits);
  const memory = engineMemory({ layers, exits, gates, tensors: [...tensorMap.values()], features, speechPresence });
  if (memory.engineBytes + memory.stateBytes > LIMITS.engineBytes) {
    fail('layers', `a model the engine can hold in ${LIMITS.engineBytes} bytes; it needs ${memory.engineBytes} ` +
      `for weights (as f32) and ${memory.stateBytes} per stream`);
  }
  return {
    format: 'tinyhush-model', version, name, description, architecture, sampleRate, stft,
    features, layers, exits, gates, skippedState,
    tensors: [...tensorMap.values()], provenance, ...(speechPresence && { speechPresence }),
  };
}
