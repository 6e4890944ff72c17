/** `tinyhush quantize MODEL --bits N --out FILE`: a float model → an integer one, scales calibrated on audio. */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import { wavNames } from '../../eval/evaluate.js';
import { resample } from '../../eval/resample.js';
import type { ModelHeader } from '../../model/types.js';
import { loadModel } from '../../node/load-model.js';
import { readWavFile } from '../../node/wav.js';
import { homogeneousConfig, modelSizeBytes, type BitConfig } from '../../quant/bit-config.js';
import { calibrate } from '../../quant/calibrate.js';
import { defaultCalibrationFile } from '../../quant/calibration.js';
import { quantizeModel } from '../../quant/quantize-model.js';
import { EXIT_OK, parseCommand, UsageError, type CliIo } from '../args.js';
import { runSearchMode, SEARCH_OPTIONS, SEARCH_USAGE } from './quantize-search.js';

const USAGE = `Usage: tinyhush quantize <model-name-or-file.thm> --bits N --out FILE [options]
       tinyhush quantize <model-name-or-file.thm> --search --out-dir DIR [search options]
       tinyhush quantize <model-name-or-file.thm> --from DIR/pareto.json --point K --out FILE [--name NAME]

Turns a float model into an integer one (docs/integer.md): every dense and GRU layer gets N-bit
weights with per-row scales, 32-bit biases and integer arithmetic from the features to the masks.
Activation scales come from running the float model over calibration audio; pre-activations are
16 bits, sigmoid/tanh tables 2^12 entries (2^10 with 8-bit activations).

Options:
  --bits N                   weight bits of every matrix, 2…8
  --act-bits 8|16            bits of the features and every activation (default 16)
  --calibration DIR|FILE     a WAV file, or every .wav file in DIR (any supported rate, each channel
                             a clip); repeat for more; default: the package's examples/noisy-sample.wav
  --name NAME                the integer model's name (default: <float name>-w<N>a<bits>)
  --out FILE                 where to write the integer model (.thm)
  -h, --help                 show this help

${SEARCH_USAGE}`;

/** The options (exported so the top-level help can be checked against them). */
export const OPTIONS = {
  bits: { type: 'string' },
  'act-bits': { type: 'string' },
  calibration: { type: 'string', multiple: true },
  name: { type: 'string' },
  out: { type: 'string' },
  ...SEARCH_OPTIONS,
} as const;

/** Runs `tinyhush quantize`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, OPTIONS, ['model']);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (parsed.values.search || parsed.values.from !== undefined) return runSearchMode(parsed.positionals[0], parsed.values, io);
  const { out, calibration } = parsed.values;
  if (out === undefined) throw new UsageError('quantize needs --out FILE: where to write the integer model');
  const model = loadModel(parsed.positionals[0]);
  const header = model.header;
  const { bits, label } = homogeneousBits(header, parsed.values.bits, parsed.values['act-bits']);
  const clips = await calibrationAudio(calibration ?? [defaultCalibration()], header.sampleRate);
  const scales = calibrate(model, clips, bits);
  const name = parsed.values.name ?? `${header.name}-${label}`;
  const description = `${header.description} Integer inference: ${label} (tinyhush quantize).`;
  await writeFile(out, quantizeModel(model, bits, scales, { name, description }));
  const seconds = clips.reduce((sum, clip) => sum + clip.length, 0) / header.sampleRate;
  const floatBytes = header.tensors.reduce((sum, t) => sum + t.byteLength, 0);
  const intBytes = modelSizeBytes(model, bits);
  io.stderr.write(`${out}: ${name}, ${label}, ${intBytes} bytes of tensors (${((100 * intBytes) / floatBytes).toFixed(1)}% `
    + `of the float model's ${floatBytes}), scales from ${seconds.toFixed(2)} s of calibration audio\n`);
  return EXIT_OK;
}

/** The homogeneous configuration of `--bits` and `--act-bits`, and its short label (`w8a16`). */
function homogeneousBits(header: ModelHeader, bitsText: string | undefined, actText = '16'): { bits: BitConfig; label: string } {
  if (bitsText === undefined) throw new UsageError('quantize needs --bits N: the weight bits, 2…8');
  if (!/^[2-8]$/.test(bitsText)) throw new InvalidOptionError(`--bits takes a weight width from 2 to 8, got '${bitsText}'`);
  if (actText !== '8' && actText !== '16') throw new InvalidOptionError(`--act-bits takes 8 or 16, got '${actText}'`);
  return { bits: homogeneousConfig(header, Number(bitsText), Number(actText)), label: `w${bitsText}a${actText}` };
}

/** The package's noisy example, which a checkout has and an installed package may not. */
function defaultCalibration(): string {
  const file = defaultCalibrationFile();
  if (file === undefined) throw new InvalidOptionError('this installation has no examples/noisy-sample.wav to calibrate on; give --calibration DIR|FILE');
  return file;
}

/** Every channel of every WAV file named (a folder: its .wav files), at `rate`. */
async function calibrationAudio(sources: readonly string[], rate: number): Promise<Float32Array[]> {
  const files: string[] = [];
  for (const source of sources) {
    if (!(await stat(source)).isDirectory()) {
      files.push(source);
      continue;
    }
    const names = await wavNames(source);
    if (names.length === 0) throw new InvalidOptionError(`--calibration ${source}: the folder holds no .wav file`);
    files.push(...names.map((file) => join(source, file)));
  }
  const clips: Float32Array[] = [];
  for (const file of files) {
    const { sampleRate, channels } = await readWavFile(file);
    for (const channel of channels) clips.push(sampleRate === rate ? channel : Float32Array.from(resample(channel, sampleRate, rate)));
  }
  return clips;
}
