/**
 * `tinyhush denoise <in.wav>... --out-dir DIR [--jobs N]`: several files, each written to DIR under
 * its own name, on N worker threads (default: one per core, at most one per file). `--jobs 1` runs
 * them one after another in this thread; any N gives the same output files.
 */
import { writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { denoiseFile, type DenoiseFileReport } from '../../node/denoise-file.js';
import { createDenoiserPool } from '../../node/pool.js';
import type { PolicySpec } from '../../policy/spec.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../args.js';
import { armInterrupt, signalExitCode } from '../interrupt.js';
import { sameFile } from '../same-file.js';

/** What the single-file command parsed, for many files. */
export interface ManyFiles {
  inputs: string[];
  outDir: string;
  jobs: string | undefined;
  model: string | undefined;
  policy: PolicySpec | undefined;
  gateRatio: number | undefined;
  reportPath: string | undefined;
}

/** `--jobs N`: a positive integer; default one per core, never more than there are files. */
function jobCount(jobs: string | undefined, files: number): number {
  if (jobs === undefined) return Math.min(availableParallelism(), files);
  if (!/^\d+$/.test(jobs) || Number(jobs) < 1 || Number(jobs) > 256) {
    throw new UsageError(`--jobs takes a number of worker threads from 1 to 256, got '${jobs}'`);
  }
  return Math.min(Number(jobs), files);
}

/** DIR/<name of each input>; refuses a missing folder and two inputs of one name (one would overwrite the other). */
function outputPaths(inputs: string[], outDir: string): string[] {
  if (!statSync(outDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--out-dir ${outDir} is not a folder; create it first`);
  }
  const seen = new Map<string, string>();
  return inputs.map((input) => {
    const name = basename(input);
    const other = seen.get(name);
    if (other !== undefined) throw new UsageError(`${other} and ${input} would both be written to ${join(outDir, name)}`);
    seen.set(name, input);
    const output = join(outDir, name);
    if (resolve(output) === resolve(input)) throw new UsageError(`${input} is already in --out-dir ${outDir}; give another folder`);
    return output;
  });
}

/** Denoises every input; returns the exit code (1 when any file failed: each failure is printed). */
export async function runMany(many: ManyFiles, io: CliIo, summaryLine: (report: DenoiseFileReport) => string): Promise<number> {
  const { inputs, outDir, model, policy, gateRatio, reportPath } = many;
  const outputs = outputPaths(inputs, outDir);
  if (reportPath !== undefined) {
    for (const path of [...inputs, ...outputs]) {
      if (await sameFile(reportPath, path)) throw new UsageError(`--report ${reportPath} is ${path}; give the report a file of its own`);
    }
  }
  const jobs = jobCount(many.jobs, inputs.length);
  const options = { ...(policy !== undefined && { policy }), ...(gateRatio !== undefined && { gateRatio }) };
  const pool = jobs > 1 ? createDenoiserPool({ workers: jobs, ...(model !== undefined && { model }) }) : undefined;
  const interrupt = armInterrupt();
  const one = async (input: string, i: number): Promise<DenoiseFileReport> => {
    const run = pool === undefined
      ? denoiseFile(input, outputs[i], { ...options, ...(model !== undefined && { model }), signal: interrupt.signal })
      : pool.denoiseFile(input, outputs[i], { ...options, signal: interrupt.signal });
    const report = await run;
    io.stderr.write(`${summaryLine(report)}\n`);
    return report;
  };
  const settle = (input: string, i: number): Promise<PromiseSettledResult<DenoiseFileReport>> => one(input, i).then(
    (value) => ({ status: 'fulfilled', value }), (reason: unknown) => ({ status: 'rejected', reason }));
  const results: PromiseSettledResult<DenoiseFileReport>[] = [];
  try {
    if (pool !== undefined) results.push(...await Promise.all(inputs.map(settle)));
    else for (const [i, input] of inputs.entries()) results.push(await settle(input, i));
  } finally {
    interrupt.disarm();
    await pool?.close();
  }
  const signal = interrupt.received();
  if (signal !== undefined) {
    io.stderr.write(`tinyhush: interrupted by ${signal}; unfinished outputs were not written\n`);
    return signalExitCode(signal);
  }
  results.forEach((result, i) => {
    if (result.status === 'rejected') io.stderr.write(`tinyhush: ${inputs[i]}: ${(result.reason as Error)?.message ?? String(result.reason)}\n`);
  });
  if (reportPath !== undefined) {
    const reports = results.map((result, i) => (result.status === 'fulfilled' ? result.value
      : { input: { path: inputs[i] }, error: (result.reason as Error)?.message ?? String(result.reason) }));
    await writeFile(reportPath, `${JSON.stringify(reports, null, 2)}\n`);
  }
  return results.every((result) => result.status === 'fulfilled') ? EXIT_OK : EXIT_FAILURE;
}
