/** `tinyhush prune MODEL --kind weight|block|unit --sparsity S --out FILE`: offline magnitude pruning of an integer model. */
import { readFile, writeFile } from 'node:fs/promises';
import { InvalidOptionError } from '../../errors.js';
import { loadModel } from '../../node/load-model.js';
import { PRUNE_KINDS, type PruneKind } from '../../prune/magnitude.js';
import { checkSparsity, pruneModel } from '../../prune/prune.js';
import { SENSITIVITY_GRID, type Sensitivity } from '../../prune/sensitivity.js';
import { readCalibration } from '../../quant/calibration.js';
import { qualityEvaluator } from '../../quant/quality.js';
import { EXIT_OK, parseCommand, UsageError, type CliIo } from '../args.js';

const DEFAULT_SECONDS = 4;

const USAGE = `Usage: tinyhush prune <integer-model-name-or-file.thm> --kind weight|block|unit --sparsity S --out FILE [options]

Prunes an integer model (made by tinyhush quantize) by magnitude, with per-layer sensitivity
(docs/sparsity.md, "Offline pruning"): each prunable layer alone is pruned at ${SENSITIVITY_GRID.map((s) => `${s * 100} %`).join(', ')}
and scored on calibration audio; then per-layer sparsities are chosen that remove the share S of
the prunable weights with the least summed quality drop, and the smallest items go.

Kinds:
  weight   single weights, smallest |code · scale| first; stored as csr
  block    4×4 blocks on the grid from column 0, smallest L1 norm first; stored as block-sparse
           (layers whose sides are not multiples of 4 are left dense)
  unit     GRU units and dense neurons, smallest L2 norm first; exported as smaller dense layers
           (the masks' 161 outputs are never removed)

Options:
  --kind weight|block|unit   what to remove
  --sparsity S               share of the prunable weights to remove, between 0 and 1 (0.9 = 90 %)
  --out FILE                 where to write the pruned model (.thm)
  --calibration DIR|default  a folder with noisy/ and clean/ WAV files of equal names (quality:
                             SI-SDR against clean); default: examples/noisy-sample.wav, quality =
                             SI-SDR against the --reference model's output. Mean over every exit
  --reference MODEL          with the default audio: the model whose output is the reference, e.g.
                             the float model it was quantized from (default: the unpruned model
                             itself, whose own score is then unbounded: curves start from ~150 dB)
  --seconds S                the first S seconds of each calibration file (default ${DEFAULT_SECONDS})
  --sensitivity FILE         the measured curves (JSON): read from FILE when it holds curves of this
                             model, kind and calibration audio, else measured and written to FILE
  --name NAME                the pruned model's name (default: <name>-<kind><percent>)
  -h, --help                 show this help
`;

/** The options (exported so the top-level help can be checked against them). */
export const OPTIONS = {
  kind: { type: 'string' },
  sparsity: { type: 'string' },
  out: { type: 'string' },
  calibration: { type: 'string' },
  seconds: { type: 'string' },
  sensitivity: { type: 'string' },
  reference: { type: 'string' },
  name: { type: 'string' },
} as const;

function parseKind(text: string | undefined): PruneKind {
  if (text === undefined) throw new UsageError(`prune needs --kind ${PRUNE_KINDS.join('|')}`);
  if (!(PRUNE_KINDS as readonly string[]).includes(text)) {
    throw new InvalidOptionError(`--kind takes ${PRUNE_KINDS.join(', ')}, got '${text}'`);
  }
  return text as PruneKind;
}

function parseSparsity(text: string | undefined): number {
  if (text === undefined) throw new UsageError('prune needs --sparsity S: the share of the prunable weights to remove, e.g. 0.9');
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new InvalidOptionError(`--sparsity takes a number between 0 and 1, got '${text}'`);
  return checkSparsity(value);
}

function parseSeconds(text: string | undefined): number {
  const value = text === undefined ? DEFAULT_SECONDS : Number(text);
  if (text?.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--seconds takes a positive number, got '${text}'`);
  return value;
}

/** Curves saved by an earlier run, or undefined where FILE does not exist yet. */
async function readSensitivity(file: string | undefined): Promise<Sensitivity | undefined> {
  if (file === undefined) return undefined;
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Sensitivity;
  } catch {
    throw new InvalidOptionError(`--sensitivity ${file}: not JSON; delete it to measure the curves again`);
  }
}

const percent = (share: number): string => `${(100 * share).toFixed(1)} %`;

/** Runs `tinyhush prune`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, OPTIONS, ['model']);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { values } = parsed;
  const kind = parseKind(values.kind);
  const sparsity = parseSparsity(values.sparsity);
  if (values.out === undefined) throw new UsageError('prune needs --out FILE: where to write the pruned model');
  const seconds = parseSeconds(values.seconds);
  const model = loadModel(parsed.positionals[0]);
  const calibration = await readCalibration(values.calibration === 'default' ? undefined : values.calibration, seconds);
  // Every exit is scored: an exit's own layers (exit1's in nsnet-ee) would otherwise look free to prune.
  const everyExit = model.header.exits.map((_, i) => i);
  if (values.reference !== undefined && calibration.mode === 'clean') throw new UsageError('--reference is for the default audio; a --calibration folder is scored against its clean speech');
  const reference = values.reference === undefined ? model : loadModel(values.reference);
  const score = qualityEvaluator<Uint8Array>(reference, calibration, (file) => file, everyExit);
  const result = await pruneModel(model, {
    kind, sparsity, name: values.name, evaluate: score,
    calibration: `${calibration.description}${values.reference === undefined ? '' : `, reference ${reference.header.name}`}`,
    sensitivity: await readSensitivity(values.sensitivity),
    progress: (layer, share, drop, done, total) => {
      io.stderr.write(`sensitivity ${done}/${total}: ${layer} at ${percent(share)}: ${drop >= 0 ? '−' : '+'}${Math.abs(drop).toFixed(2)} dB\n`);
    },
  });
  if (result.measured && values.sensitivity !== undefined) await writeFile(values.sensitivity, `${JSON.stringify(result.sensitivity, null, 2)}\n`);
  await writeFile(values.out, result.file);
  const quality = await score(result.denseFile);
  const shares = result.layers.map((l) => `${l.name} ${percent(result.plan[l.name] / l.items)}`).join(', ');
  io.stderr.write(`per layer (${kind === 'unit' ? 'units' : kind === 'block' ? 'blocks' : 'weights'} removed): ${shares}\n`);
  io.stderr.write(`${values.out}: ${kind} pruning, ${percent(result.sparsity)} of the prunable weights removed, `
    + `${result.file.length} bytes (unpruned ${model.bytes.length}); quality ${quality.toFixed(2)} dB `
    + `(unpruned ${result.sensitivity.base.toFixed(2)} dB), on ${calibration.description}\n`);
  return EXIT_OK;
}
