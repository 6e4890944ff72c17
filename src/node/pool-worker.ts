/**
 * A `DenoiserPool` worker thread: one host (the model loaded once) and one job at a time, files
 * through `denoiseFile`, in-memory audio through a host stream with the latency removed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Denoiser } from '../denoiser.js';
import { createDenoiserHost, type DenoiserHost } from '../host/host.js';
import { denoiseFile } from './denoise-file.js';
import { serializeError, type PoolJobOptions, type PoolRequest, type PoolResponse, type WorkerSetup } from './pool-protocol.js';
import { trimLead } from './trim-lead.js';

const { model } = workerData as WorkerSetup;
let host: DenoiserHost | undefined;

/** Denoises whole planar audio: as long as the input and aligned with it (latency removed). */
function denoiseAudio(sampleRate: number, channels: Float32Array[], options: PoolJobOptions): Float32Array[] {
  host ??= createDenoiserHost({ model });
  const stream: Denoiser = host.createStream({ sampleRate, channels: channels.length, ...options });
  try {
    const trim = trimLead(stream.latencySamples);
    const blocks = [trim(stream.process(channels)), trim(stream.flush())].filter((b) => b !== null);
    return channels.map((input, c) => {
      const out = new Float32Array(input.length);
      let at = 0;
      for (const block of blocks) {
        out.set(block[c].subarray(0, input.length - at), at);
        at += Math.min(block[c].length, input.length - at);
      }
      return out;
    });
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
    return { id: request.id, channels: denoiseAudio(request.sampleRate, request.channels, request.options) };
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
