/** `tinyhush info MODEL`: describe a bundled model or a model file. */
import { describeModel } from '../../model/describe.js';
import { loadModel } from '../../node/load-model.js';
import { EXIT_OK, parseCommand, type CliIo } from '../args.js';

const USAGE = `Usage: tinyhush info <model-name-or-file.thm>

Describes a model: architecture, layers with shapes, exits with their dense MACs per frame,
gates, tensors (encoding, bit width, sparsity, bytes, and totals) and provenance. Names are those 'tinyhush models' lists.
`;

/** Runs `tinyhush info`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, {}, ['model']);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  io.stdout.write(`${describeModel(loadModel(parsed.positionals[0]))}\n`);
  return EXIT_OK;
}
