/** Ctrl-C and `kill`: turns SIGINT and SIGTERM into an abort the running command can clean up after. */
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** An abort signal tied to SIGINT and SIGTERM while it is armed. */
export interface Interrupt {
  signal: AbortSignal;
  /** The signal that arrived, if one did. */
  received(): NodeJS.Signals | undefined;
  /** Stops listening (a later signal again ends the process the default way). */
  disarm(): void;
}

/**
 * Listens for SIGINT and SIGTERM: the first aborts `signal` and disarms, so a second one ends the
 * process at once, as it would without this.
 */
export function armInterrupt(): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    received = name;
    disarm();
    controller.abort(new Error(`interrupted by ${name}`));
  };
  const disarm = () => { for (const name of SIGNALS) process.off(name, onSignal); };
  for (const name of SIGNALS) process.on(name, onSignal);
  return { signal: controller.signal, received: () => received, disarm };
}

/** The shell's exit status for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
