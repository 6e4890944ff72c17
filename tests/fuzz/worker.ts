/**
 * The child process of `npm run fuzz` (main.ts): runs one target's cases, reporting each before it
 * runs and after it ends. A process, not a thread, so that a case that aborts Node ends only it.
 */
import { runTarget, type CaseResult } from './run-target.js';
import { TARGETS } from './targets/index.js';

/** What main.ts asks of a worker. */
export interface WorkerTask { target: string; cases: number; seed: number; caseMs: number; from: number }

/** What a worker tells main.ts: the case about to run, how it ended, and that all are done. */
export type WorkerMessage = { kind: 'case'; index: number; caseSeed: number } | { kind: 'result'; result: CaseResult }
  | { kind: 'done' };

if (process.send) {
  const send = (message: WorkerMessage) => process.send!(message);
  const task = JSON.parse(process.argv[2]) as WorkerTask;
  const target = TARGETS.find((t) => t.name === task.target)!;
  await runTarget(target, {
    ...task,
    onCase: (index, caseSeed) => send({ kind: 'case', index, caseSeed }),
    onResult: (result) => send({ kind: 'result', result }),
  });
  send({ kind: 'done' });
  process.disconnect();
}
