/** `tinyhush info MODEL`: describe a bundled model or a model file. */
import { describeModel } from '../../model/describe.js';
import { createDenoiserHost } from '../../node/create-host.js';
import { loadModel } from '../../node/load-model.js';
import { EXIT_OK, parseCommand, type CliIo } from '../args.js';

const USAGE = `Usage: tinyhush info <model-name-or-file.thm>

Describes a model: architecture, layers with shapes, exits with their dense MACs per frame,
gates, tensors (encoding, bit width, sparsity, bytes, and totals) and provenance, then the bytes of
weights and of WASM memory the model takes once loaded. Names are those 'tinyhush models' lists.
`;

/** Runs `tinyhush info`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, {}, ['model']);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const model = loadModel(parsed.positionals[0]);
  io.stdout.write(`${describeModel(model)}\n`);
  // What loading it really takes (integer and sparse weights stay compact), beside the header's bound.
  const host = createDenoiserHost({ model });
  io.stdout.write(`loaded: ${host.weightBytes} bytes of weights held, ${host.memoryBytes} bytes of WASM memory in all\n`);
  return EXIT_OK;
}
