/**
 * The audio a quantization search scores configurations on: noisy/clean pairs from a folder
 * (quality = SI-SDR against the clean speech), or by default the package's noisy example alone
 * (quality = fidelity: SI-SDR against the float model's own output).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { downmix, wavNames } from '../eval/evaluate.js';
import { bundledModelsDir } from '../model/registry.js';
import { readWavFile } from '../node/wav.js';

/** One calibration recording (mono), and its clean speech when the folder has it. */
export interface CalibrationItem {
  name: string;
  sampleRate: number;
  noisy: Float32Array;
  clean?: Float32Array;
}

/** The calibration set and what its quality means. */
export interface Calibration {
  /** `'clean'`: SI-SDR against clean speech; `'fidelity'`: SI-SDR against the float model's output. */
  mode: 'clean' | 'fidelity';
  items: CalibrationItem[];
  /** Where the audio came from and how long it is: part of a search's settings. */
  description: string;
}

/** The noisy example the package ships (examples/noisy-sample.wav); undefined where it is missing. */
export function defaultCalibrationFile(): string | undefined {
  const file = join(dirname(bundledModelsDir()), 'examples', 'noisy-sample.wav');
  return existsSync(file) ? file : undefined;
}

function firstSeconds(signal: Float32Array, sampleRate: number, seconds: number): Float32Array {
  return signal.subarray(0, Math.min(signal.length, Math.round(seconds * sampleRate)));
}

/** A noisy recording without clean speech (scored by fidelity), downmixed and cut to its first `seconds`. */
async function noisyItem(path: string, name: string, seconds: number): Promise<CalibrationItem> {
  const { sampleRate, channels } = await readWavFile(path);
  return { name, sampleRate, noisy: firstSeconds(downmix(channels), sampleRate, seconds) };
}

/** Fidelity on a folder of noisy recordings only (`dir/noisy/*.wav`, no `dir/clean/`). */
async function readNoisyOnly(dir: string, names: readonly string[], seconds: number): Promise<Calibration> {
  const items: CalibrationItem[] = [];
  for (const name of names) items.push(await noisyItem(join(dir, 'noisy', name), name, seconds));
  const total = items.reduce((sum, item) => sum + item.noisy.length / item.sampleRate, 0);
  return { mode: 'fidelity', items, description: `${resolve(dir)}: ${items.length} noisy files, ${total} s, fidelity to the float model` };
}

/**
 * Reads the calibration set: with `dir`, every `dir/noisy/*.wav` with the clean file of the same
 * name in `dir/clean/` (same rate; the common length), or, when `dir` has no `clean/` folder, the
 * noisy files alone scored by fidelity; without `dir`, the package's noisy example (fidelity).
 * Each recording is downmixed to mono and cut to its first `seconds`.
 * @throws InvalidOptionError for a missing folder or counterpart, differing rates, no files, or
 *   no default file (the example is missing from this installation).
 */
export async function readCalibration(dir: string | undefined, seconds: number): Promise<Calibration> {
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new InvalidOptionError(`calibration seconds must be a positive number, got ${seconds}`);
  }
  if (dir === undefined) {
    const file = defaultCalibrationFile();
    if (file === undefined) {
      throw new InvalidOptionError('no calibration audio: this installation has no examples/noisy-sample.wav; '
        + 'give a folder with noisy/ and clean/ WAV files of equal names');
    }
    const item = await noisyItem(file, 'noisy-sample.wav', seconds);
    return {
      mode: 'fidelity',
      items: [item],
      description: `examples/noisy-sample.wav, first ${item.noisy.length / item.sampleRate} s, fidelity to the float model`,
    };
  }
  const names = await wavNames(join(dir, 'noisy'));
  if (names.length === 0) throw new InvalidOptionError(`no .wav files in ${join(dir, 'noisy')}`);
  if (!existsSync(join(dir, 'clean'))) return readNoisyOnly(dir, names, seconds);
  const cleanNames = new Set(await wavNames(join(dir, 'clean')));
  const missing = names.filter((name) => !cleanNames.has(name));
  if (missing.length > 0) throw new InvalidOptionError(`${join(dir, 'clean')} lacks ${missing.join(', ')}`);
  const items: CalibrationItem[] = [];
  for (const name of names) {
    const noisy = await readWavFile(join(dir, 'noisy', name));
    const clean = await readWavFile(join(dir, 'clean', name));
    if (clean.sampleRate !== noisy.sampleRate) {
      throw new InvalidOptionError(`${name}: noisy at ${noisy.sampleRate} Hz but clean at ${clean.sampleRate} Hz`);
    }
    const { sampleRate } = noisy;
    const length = Math.min(noisy.channels[0].length, clean.channels[0].length, Math.round(seconds * sampleRate));
    items.push({
      name, sampleRate, noisy: downmix(noisy.channels).subarray(0, length), clean: downmix(clean.channels).subarray(0, length),
    });
  }
  const total = items.reduce((sum, item) => sum + item.noisy.length / item.sampleRate, 0);
  return { mode: 'clean', items, description: `${resolve(dir)}: ${items.length} noisy/clean pairs, ${total} s, SI-SDR against clean` };
}
