/**
 * The tinyhush AudioWorklet processor (built by rollup into the self-contained
 * `dist/web-processor.js`; load it with `createDenoiserNode` from `tinyhush/web`). The WASM core
 * is embedded in this file and compiled synchronously here; the model bytes arrive in
 * `processorOptions`. No fetch, atob or TextDecoder: AudioWorklet scopes lack them.
 *
 * Each 128-sample render quantum goes through `Denoiser.process` (the output does not depend on
 * chunking, so the quantum size changes nothing). With `enabled` false the input is passed
 * through delayed by the same latency while the denoiser keeps running, so A/B switching neither
 * jumps in time nor restarts the model.
 */
import { createDenoiser, type Denoiser } from '../denoiser.js';
import { TinyhushError } from '../errors.js';
import { FrameSeries } from './frame-series.js';
import { PROCESSOR_NAME, type ErrorData, type FromProcessor, type ProcessorOptions, type ToProcessor } from './protocol.js';

// The AudioWorkletGlobalScope's own names (not in TypeScript's DOM library).
declare const sampleRate: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}
declare function registerProcessor(name: string, processor: new (options: { processorOptions: ProcessorOptions }) => AudioWorkletProcessor): void;

function errorData(error: unknown): ErrorData {
  if (error instanceof TinyhushError) return { name: error.name, code: error.code, message: error.message };
  return { name: 'Error', code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

class TinyhushProcessor extends AudioWorkletProcessor {
  private denoiser: Denoiser | undefined;
  private readonly channels: number;
  private enabled = true;
  /** Per channel: the input of the last `latencySamples` samples, for the delayed dry signal. */
  private readonly dry: Float32Array[];
  private dryAt = 0;
  private readonly inputs: Float32Array[];
  private readonly scratch: Float32Array[];
  private readonly silence = new Float32Array(128);
  private readonly quantaPerReport: number;
  private quanta = 0;
  /** Per frame since the last telemetry event: speech probability, and each gate's share of channels that ran. */
  private readonly speech: FrameSeries;
  private gateShares: FrameSeries;

  constructor(options: { processorOptions: ProcessorOptions }) {
    super();
    const { model, channels, exit, policy, gateRatio, wasmBuild, telemetryHz } = options.processorOptions;
    this.channels = channels;
    this.inputs = new Array<Float32Array>(channels).fill(this.silence);
    this.scratch = Array.from({ length: channels }, () => new Float32Array(128));
    this.quantaPerReport = telemetryHz > 0 ? Math.max(1, Math.round(sampleRate / 128 / telemetryHz)) : 0;
    const framesPerReport = Math.ceil((this.quantaPerReport * 128 * 100) / sampleRate) + 4;
    this.speech = new FrameSeries(1, framesPerReport, 0);
    this.gateShares = new FrameSeries(0, 0, Number.NaN);
    this.port.onmessage = (event: MessageEvent<ToProcessor>) => this.receive(event.data);
    try {
      this.denoiser = createDenoiser({
        model, sampleRate, channels,
        ...(exit !== undefined && { exit }), ...(policy !== undefined && { policy }),
        ...(gateRatio !== undefined && { gateRatio }), ...(wasmBuild !== undefined && { wasmBuild }),
      });
    } catch (error) {
      this.dry = [];
      this.send({ type: 'failed', error: errorData(error) });
      return;
    }
    const d = this.denoiser;
    this.gateShares = new FrameSeries(d.gates.length, framesPerReport, Number.NaN);
    if (this.quantaPerReport > 0) {
      d.onFrame = (frame) => {
        this.speech.set(frame.frame, 0, frame.speechProbability);
        const shares = frame.gateShares;
        for (let g = 0; g < shares.length; g++) this.gateShares.set(frame.frame, g, shares[g]);
      };
    }
    this.dry = Array.from({ length: channels }, () => new Float32Array(Math.max(1, d.latencySamples)));
    this.send({
      type: 'ready',
      info: {
        exits: d.exits, latencySamples: d.latencySamples, latencySeconds: d.latencySeconds, wasmBuild: d.wasmBuild, policy: d.policy,
        gates: d.gates, gateRatio: d.gateRatio,
      },
    });
  }

  private send(message: FromProcessor): void {
    this.port.postMessage(message);
  }

  private receive(message: ToProcessor): void {
    const d = this.denoiser;
    if (d === undefined) return;
    try {
      switch (message.type) {
        case 'policy': d.setPolicy(message.policy); break;
        case 'gate-ratio': d.setGateRatio(message.ratio); break;
        case 'enabled': this.enabled = message.enabled; break;
        case 'reset':
          d.reset();
          this.dry.forEach((ring) => ring.fill(0));
          this.speech.reset();
          this.gateShares.reset();
          break;
        case 'reset-telemetry': d.resetTelemetry(); break;
        case 'dispose': d.dispose(); this.denoiser = undefined; break;
      }
      this.send({ type: 'done', id: message.id, policy: d.policy, gateRatio: d.gateRatio });
    } catch (error) {
      this.send({ type: 'rejected', id: message.id, error: errorData(error) });
    }
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const d = this.denoiser;
    if (d === undefined) return false;
    const input = inputs[0];
    const output = outputs[0];
    const n = output[0].length;
    for (let c = 0; c < this.channels; c++) this.inputs[c] = input.length > c ? input[c] : this.silence;
    if (this.enabled) {
      d.process(this.inputs, output);
    } else {
      d.process(this.inputs, this.scratch);
    }
    this.delayDry(output, n);
    if (this.quantaPerReport > 0 && ++this.quanta >= this.quantaPerReport) {
      this.quanta = 0;
      this.send({ type: 'telemetry', telemetry: { ...d.telemetry(), speechFrames: this.speech.take(), gateFrames: this.gateShares.take() } });
    }
    return true;
  }

  /** Keeps the dry ring current; when bypassed, writes the input delayed by the latency. */
  private delayDry(output: Float32Array[], n: number): void {
    const length = this.dry[0].length;
    const delayed = this.denoiser !== undefined && this.denoiser.latencySamples > 0;
    for (let c = 0; c < this.channels; c++) {
      const ring = this.dry[c];
      const source = this.inputs[c];
      let at = this.dryAt;
      for (let i = 0; i < n; i++) {
        const old = ring[at];
        ring[at] = source[i];
        if (!this.enabled) output[c][i] = delayed ? old : source[i];
        at = at + 1 === length ? 0 : at + 1;
      }
    }
    this.dryAt = (this.dryAt + n) % length;
  }
}

registerProcessor(PROCESSOR_NAME, TinyhushProcessor);
