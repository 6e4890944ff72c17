/** `tinyhush models`: list the bundled models. */
import { DEFAULT_MODEL, listModels, MODEL_ALIASES } from '../../model/registry.js';
import { EXIT_OK, parseCommand, type CliIo } from '../args.js';

const USAGE = `Usage: tinyhush models

Lists the bundled models by name (use a name with --model, or 'tinyhush info NAME' for details),
then the aliases that name one of them. The default model is marked with *.
`;

/** Runs `tinyhush models`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  if (!parseCommand(args, {}, [])) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const models = listModels();
  const names = new Set(models.map((m) => m.name));
  const aliases = Object.entries(MODEL_ALIASES).filter(([, target]) => names.has(target));
  const defaultModel = MODEL_ALIASES[DEFAULT_MODEL] ?? DEFAULT_MODEL;
  const width = Math.max(0, ...models.map((m) => m.name.length), ...aliases.map(([alias]) => alias.length));
  for (const { name, description } of models) {
    io.stdout.write(`${name === defaultModel ? '*' : ' '} ${name.padEnd(width)}  ${description}\n`);
  }
  for (const [alias, target] of aliases) io.stdout.write(`  ${alias.padEnd(width)}  = ${target}\n`);
  if (models.length === 0) io.stderr.write('no models are bundled with this installation\n');
  return EXIT_OK;
}
