/** `tinyhush models`: list the bundled models. */
import { DEFAULT_MODEL, listModels } from '../../model/registry.js';
import { EXIT_OK, parseCommand, type CliIo } from '../args.js';

const USAGE = `Usage: tinyhush models

Lists the bundled models by name (use a name with --model, or 'tinyhush info NAME' for details).
The default model is marked with *.
`;

/** Runs `tinyhush models`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  if (!parseCommand(args, {}, [])) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const models = listModels();
  const width = Math.max(0, ...models.map((m) => m.name.length));
  for (const { name, description } of models) {
    io.stdout.write(`${name === DEFAULT_MODEL ? '*' : ' '} ${name.padEnd(width)}  ${description}\n`);
  }
  if (models.length === 0) io.stderr.write('no models are bundled with this installation\n');
  return EXIT_OK;
}
