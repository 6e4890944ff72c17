/**
 * `npm run fuzz -- [--cases N] [--seed S] [--target NAME] [--case-ms MS] [--hang-s S]`: a long fuzz
 * run, N cases per target (default 50,000: 100,000 over the two targets). Each target runs in a
 * child process watched from here: a case that does not finish within --hang-s is a hang, and one
 * that ends the process is a crash; either way the run goes on in a new process from the next case. Prints each target's figures and every
 * failure with the case seed that reproduces it; exits 1 if there was any.
 * `npm run fuzz -- --replay NAME:CASE_SEED` re-runs one case and prints its outcome, steps and stack.
 */
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addResult, emptySummary, formatFailure, replayCase, type FuzzSummary } from './run-target.js';
import { TARGETS } from './targets/index.js';
import type { WorkerMessage, WorkerTask } from './worker.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '50000' },
    seed: { type: 'string', default: '1' },
    target: { type: 'string' },
    'case-ms': { type: 'string', default: '2000' }, // CPU ms per case
    'hang-s': { type: 'string', default: '60' },
    replay: { type: 'string' },
  },
});

function count(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`--${name} takes a non-negative integer, got '${text}'`);
  return Number(text);
}

function targetNamed(name: string) {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target '${name}'; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  return target;
}

/** Runs one target's cases in workers, restarting past any case that hangs or kills its worker. */
async function fuzzTarget(task: Omit<WorkerTask, 'from'>, hangMs: number): Promise<FuzzSummary> {
  const summary = emptySummary(task.target, task.seed);
  const started = performance.now();
  for (let from = 0; from < task.cases;) {
    const stuck = await new Promise<{ index: number; caseSeed: number } | undefined>((resolve, reject) => {
      const worker = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [JSON.stringify({ ...task, from } satisfies WorkerTask)]);
      // The watch starts with the first case: loading the sources is not a case.
      let current: { index: number; caseSeed: number } | undefined;
      let timer: NodeJS.Timeout | undefined;
      worker.on('message', (message: WorkerMessage) => {
        clearTimeout(timer);
        if (message.kind === 'case') {
          current = message;
          timer = setTimeout(() => { worker.kill('SIGKILL'); resolve(current); }, hangMs);
          if (message.index % 1000 === 0 && message.index > 0) console.error(`fuzz ${task.target}: ${progress(summary)}`);
        } else if (message.kind === 'result') {
          addResult(summary, message.result);
          current = undefined;
        } else {
          resolve(undefined);
        }
      });
      worker.on('error', (error) => { clearTimeout(timer); reject(error); });
      worker.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return;
        if (current) resolve(current);
        else reject(new Error(`the fuzz process for ${task.target} ended (${signal ?? `code ${code}`}) outside a case`));
      });
    });
    if (stuck === undefined) break;
    // A case that hung or ended the worker (a crash): a failure; the run goes on after it.
    addResult(summary, {
      outcome: 'slow', ms: hangMs,
      failure: { target: task.target, outcome: 'slow', caseSeed: stuck.caseSeed, steps: ['hang or crash'], ms: hangMs },
    });
    from = stuck.index + 1;
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** The counts so far, for a long run's progress lines and its result. */
function progress(s: FuzzSummary): string {
  const codes = Object.entries(s.rejectedBy).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
  return `${s.cases} cases (seed ${s.seed}): accepted ${s.accepted}, rejected with a typed error ${s.rejected} (${codes}), `
    + `untyped ${s.untyped}, slow or hung ${s.slow}; slowest case ${s.slowestMs.toFixed(0)} ms`;
}

if (values.replay !== undefined) {
  const [name, seedText] = values.replay.split(':');
  const outcome = await replayCase(targetNamed(name), count('replay', seedText ?? ''), count('case-ms', values['case-ms']));
  console.log(`${name} case ${seedText}: ${outcome.outcome} in ${outcome.ms.toFixed(1)} ms (${outcome.steps.join(', ')}), ${outcome.bytes.length} bytes`);
  if (outcome.error !== undefined) console.log(outcome.error instanceof Error ? outcome.error.stack : outcome.error);
} else {
  const targets = values.target === undefined ? TARGETS : [targetNamed(values.target)];
  const task = { cases: count('cases', values.cases), seed: count('seed', values.seed), caseMs: count('case-ms', values['case-ms']) };
  let failures = 0;
  for (const target of targets) {
    const s = await fuzzTarget({ ...task, target: target.name }, 1000 * count('hang-s', values['hang-s']));
    console.log(`fuzz ${s.target} in ${s.seconds.toFixed(0)} s: ${progress(s)}`);
    for (const failure of s.failures) console.log(`  ${formatFailure(failure)}`);
    failures += s.failures.length;
  }
  process.exitCode = failures === 0 ? 0 : 1;
}
