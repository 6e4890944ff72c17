/**
 * Messages between a `DenoiserPool` and its worker threads, and how errors cross the thread
 * boundary: structured cloning keeps only a plain `Error`, so tinyhush errors travel as their
 * class name, code and message and are rebuilt as the same class; Node's I/O errors keep their
 * `code`, `syscall` and `path` (the CLI prints those as one line naming the user's path).
 */
import {
  InvalidOptionError, ModelFormatError, TinyhushError, UnknownModelError, UnsupportedRateError, WavFormatError,
} from '../errors.js';
import type { PolicySpec } from '../policy/spec.js';
import type { DenoiseFileReport } from './denoise-file.js';

/** What the worker gets at start (`workerData`). */
export interface WorkerSetup {
  model: Uint8Array;
}

/** Per job: the exit policy (as in `denoiseFile`). */
export interface PoolJobOptions {
  /** Every frame through this exit (0 = cheapest); default: the full model. Not with `policy`. */
  exit?: number;
  /** Exit policy (fixed, budget or adaptive). Not with `exit`. */
  policy?: PolicySpec;
  /** Gate ratio in [0, 1] (models whose gates decide); default 1. */
  gateRatio?: number;
}

export type PoolRequest =
  | { id: number; kind: 'file'; input: string; output: string; options: PoolJobOptions }
  | { id: number; kind: 'audio'; sampleRate: number; channels: Float32Array[]; options: PoolJobOptions }
  /** Stops job `id` between two blocks (a file job then writes nothing). */
  | { id: number; kind: 'abort' };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
  stack?: string;
}

export type PoolResponse =
  | { id: number; report: DenoiseFileReport }
  | { id: number; channels: Float32Array[] }
  | { id: number; error: SerializedError };

const TYPED: Record<string, new (message: string) => TinyhushError> = {
  ModelFormatError, WavFormatError, UnsupportedRateError, InvalidOptionError, UnknownModelError,
};

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { name, message, stack } = error;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  return {
    name, message, ...(stack !== undefined && { stack }), ...(typeof code === 'string' && { code }),
    ...(syscall !== undefined && { syscall }), ...(path !== undefined && { path }),
  };
}

export function deserializeError(data: SerializedError): Error {
  const Typed = TYPED[data.name];
  if (Typed !== undefined) return new Typed(data.message);
  if (data.name === 'TinyhushError' && data.code !== undefined) return new TinyhushError(data.code, data.message);
  const error: Error & Partial<NodeJS.ErrnoException> = new Error(data.message);
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.code !== undefined) error.code = data.code;
  if (data.syscall !== undefined) error.syscall = data.syscall;
  if (data.path !== undefined) error.path = data.path;
  return error;
}
