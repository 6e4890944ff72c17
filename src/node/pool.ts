/**
 * `createDenoiserPool`: worker threads, each with the model loaded once, so a Node server or a
 * batch of files uses every core. Jobs queue and go to whichever worker is free.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError, TinyhushError } from '../errors.js';
import { DEFAULT_MODEL, resolveModelBytes } from '../model/registry.js';
import { isUint8Array } from '../typed-arrays.js';
import type { DenoiseFileReport } from './denoise-file.js';
import {
  deserializeError, type PoolJobOptions, type PoolRequest, type PoolResponse, type WorkerSetup,
} from './pool-protocol.js';

export type { PoolJobOptions } from './pool-protocol.js';

/** Options of {@link createDenoiserPool}. */
export interface DenoiserPoolOptions {
  /** Worker threads, 1–256; default: the number of cores (`os.availableParallelism()`). */
  workers?: number;
  /** A bundled model's name, the path of a `.thm` file, or its bytes; default: the default bundled model. */
  model?: string | Uint8Array;
}

/** Planar audio in memory. */
export interface PoolAudio {
  sampleRate: number;
  /** One Float32Array per channel (1–8), of equal length. */
  channels: Float32Array[];
}

/** A set of worker threads denoising files and in-memory audio in parallel. */
export interface DenoiserPool {
  /** Worker threads. */
  readonly workers: number;
  /** Jobs waiting for a free worker. */
  readonly queued: number;
  /**
   * Denoises a WAV file into another on a free worker, exactly as `denoiseFile` does (the same
   * output, bit for bit, and the same report).
   */
  denoiseFile(input: string, output: string, options?: PoolRunOptions): Promise<DenoiseFileReport>;
  /**
   * Denoises whole audio on a free worker: the result is as long as the input and aligned with it
   * (latency removed). The input arrays are copied to the worker; the output arrays are moved back.
   */
  denoise(audio: PoolAudio, options?: PoolRunOptions): Promise<Float32Array[]>;
  /** Lets the queued and running jobs finish, then ends the workers; later jobs are refused. */
  close(): Promise<void>;
}

/** Per job: the exit policy, and a signal that stops it. */
export interface PoolRunOptions extends PoolJobOptions {
  /**
   * Stops the job: a queued job never starts, a running one stops between two blocks (a file job
   * writes nothing, as `denoiseFile` with a signal); the promise rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

interface Job {
  request: Exclude<PoolRequest, { kind: 'abort' }>;
  resolve: (response: PoolResponse) => void;
  reject: (error: Error) => void;
}

/**
 * The built worker script, next to this module or one folder up (from a bundler's chunk folder).
 * Sources run under a TypeScript loader have no built worker: the pool needs the built package.
 */
function workerScript(): URL {
  const extension = import.meta.url.endsWith('.cjs') ? 'cjs' : 'js';
  for (const candidate of [`./pool-worker.${extension}`, `../pool-worker.${extension}`]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new TinyhushError('UNSUPPORTED_RUNTIME', `the worker pool needs its built worker script (pool-worker.${extension}) `
    + `next to ${fileURLToPath(import.meta.url)}: run it from the built package`);
}

function checkedWorkers(workers: unknown): number {
  if (workers === undefined) return availableParallelism();
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new InvalidOptionError(`workers must be an integer from 1 to 256, got ${String(workers)}`);
  }
  return workers;
}

function closedError(): TinyhushError {
  return new TinyhushError('DISPOSED', 'this denoiser pool was closed; create a new one with createDenoiserPool()');
}

/**
 * Starts `workers` threads, each loading `model` once.
 * @throws InvalidOptionError for a bad `workers`, UnknownModelError for an unknown model name or
 *   path; a model file's format errors surface as the jobs' rejections (ModelFormatError).
 */
export function createDenoiserPool(options: DenoiserPoolOptions = {}): DenoiserPool {
  const count = checkedWorkers(options.workers);
  const source = options.model ?? DEFAULT_MODEL;
  if (typeof source !== 'string' && !isUint8Array(source)) {
    throw new InvalidOptionError(`model must be a bundled model name, a .thm file path or the bytes of one, got ${typeof source}`);
  }
  const setup: WorkerSetup = { model: typeof source === 'string' ? resolveModelBytes(source) : source };
  const script = workerScript();
  const queue: Job[] = [];
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  let nextId = 1;
  let closed = false;
  let drained: (() => void) | undefined;

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const job = queue.shift()!;
      running.set(worker, job);
      worker.postMessage(job.request);
    }
    if (closed && queue.length === 0 && running.size === 0) drained?.();
  };

  const spawn = (): void => {
    // The workers inherit Node's flags, except --input-type, which applies to `node -e` code only.
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type'));
    const worker = new Worker(script, { workerData: setup, execArgv });
    worker.on('message', (response: PoolResponse) => {
      const job = running.get(worker);
      running.delete(worker);
      idle.push(worker);
      job?.resolve(response);
      dispatch();
    });
    // A worker that stops unasked (an uncaught error, out of memory) fails its job and is replaced.
    let failure: Error | undefined;
    worker.on('error', (error) => { failure = error; });
    worker.on('exit', (code) => {
      const job = running.get(worker);
      running.delete(worker);
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
      job?.reject(failure ?? new TinyhushError('WORKER_EXIT', `a denoiser pool worker stopped (exit code ${code})`));
      if (!closed) spawn();
      dispatch();
    });
    idle.push(worker);
  };
  for (let i = 0; i < count; i++) spawn();

  const submit = (request: Job['request'], signal: AbortSignal | undefined): Promise<PoolResponse> => {
    if (closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const job = new Promise<PoolResponse>((resolve, reject) => {
      const entry: Job = { request, resolve, reject };
      queue.push(entry);
      signal?.addEventListener('abort', () => {
        const at = queue.indexOf(entry);
        if (at >= 0) {
          queue.splice(at, 1);
          reject(signal.reason);
          dispatch();
        }
        for (const [worker, started] of running) if (started === entry) worker.postMessage({ id: request.id, kind: 'abort' });
      }, { once: true });
      dispatch();
    });
    return job.then((response) => {
      if ('error' in response) throw signal?.aborted ? signal.reason : deserializeError(response.error);
      return response;
    });
  };

  return {
    workers: count,
    get queued() { return queue.length; },
    async denoiseFile(input, output, { signal, ...jobOptions } = {}) {
      const response = await submit({ id: nextId++, kind: 'file', input, output, options: jobOptions }, signal);
      return (response as { report: DenoiseFileReport }).report;
    },
    async denoise(audio, { signal, ...jobOptions } = {}) {
      const request = { id: nextId++, kind: 'audio', sampleRate: audio?.sampleRate, channels: audio?.channels, options: jobOptions } as const;
      const response = await submit(request, signal);
      return (response as { channels: Float32Array[] }).channels;
    },
    async close() {
      if (!closed) {
        closed = true;
        await new Promise<void>((resolve) => {
          drained = resolve;
          dispatch();
        });
        await Promise.all([...idle].map((worker) => worker.terminate()));
      }
    },
  };
}
