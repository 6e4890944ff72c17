/**
 * A `DenoiserPool` worker thread: one host (the model loaded once) and one job at a time, files
 * through `denoiseFile`, in-memory audio through a host stream with the latency removed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Denoiser } from '../denoiser.js';
import { createDenoiserHost, type DenoiserHost } from '../host/host.js';
import { denoiseAudio } from './denoise-audio.js';
import { denoiseFile } from './denoise-file.js';
import { serializeError, type PoolJobOptions, type PoolRequest, type PoolResponse, type WorkerSetup } from './pool-protocol.js';

const { model } = workerData as WorkerSetup;
let host: DenoiserHost | undefined;

/** Denoises whole planar audio: as long as the input and aligned with it (latency removed). */
function denoiseOnHost(sampleRate: number, channels: Float32Array[], options: PoolJobOptions): Float32Array[] {
  host ??= createDenoiserHost({ model });
  const stream: Denoiser = host.createStream({ sampleRate, channels: channels.length, ...options });
  try {
    return denoiseAudio(stream, channels);
  } finally {
    stream.dispose();
  }
}

/** The running file job's abort switch (one job at a time). */
let running: { id: number; controller: AbortController } | undefined;

async function handle(request: Exclude<PoolRequest, { kind: 'abort' }>): Promise<PoolResponse> {
  try {
    if (request.kind === 'file') {
      running = { id: request.id, controller: new AbortController() };
      const { signal } = running.controller;
      return { id: request.id, report: await denoiseFile(request.input, request.output, { model, ...request.options, signal }) };
    }
    return { id: request.id, channels: denoiseOnHost(request.sampleRate, request.channels, request.options) };
  } catch (error) {
    return { id: request.id, error: serializeError(error) };
  } finally {
    running = undefined;
  }
}

parentPort!.on('message', (request: PoolRequest) => {
  if (request.kind === 'abort') {
    if (running?.id === request.id) running.controller.abort();
    return;
  }
  void handle(request).then((response) => {
    const transfer = 'channels' in response ? response.channels.map((c) => c.buffer as ArrayBuffer) : [];
    parentPort!.postMessage(response, transfer);
  });
});
