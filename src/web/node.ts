/**
 * `createDenoiserNode`: tinyhush as an `AudioWorkletNode` for Web Audio graphs (conferencing:
 * microphone → node → encoder / speakers). The processor file is added to the context once; the
 * model bytes travel in `processorOptions`.
 */
import { assertGateRatio, checkOptions } from '../denoiser-options.js';
import type { ExitInfo, GateInfo } from '../engine/types.js';
import {
  InvalidOptionError, ModelFormatError, TinyhushError, UnsupportedRateError, UnknownModelError, WavFormatError,
} from '../errors.js';
import type { PolicySpec, ResolvedPolicySpec } from '../policy/spec.js';
import { isUint8Array } from '../typed-arrays.js';
import type { CoreBuild, CoreBuildChoice } from '../wasm/core.js';
import {
  PROCESSOR_NAME, type ErrorData, type FromProcessor, type ProcessorOptions, type ToProcessor, type WorkletTelemetry,
} from './protocol.js';

/** Options of {@link createDenoiserNode}: those of `createDenoiser`, less `sampleRate` (the context's). */
export interface DenoiserNodeOptions {
  /** The model: the bytes of a `.thm` file, or its URL (fetched here, on the main thread). */
  model: Uint8Array | ArrayBuffer | string | URL;
  /** Audio channels, 1–8 (default 1: mono, as microphones are); input is up- or down-mixed to it. */
  channels?: number;
  /** Exit every frame runs through (0 = cheapest). Not with `policy`. */
  exit?: number;
  /** Exit policy (fixed, budget, adaptive); see `DenoiserOptions.policy`. */
  policy?: PolicySpec;
  /** Gate ratio in [0, 1] for a model with channel gates (default 1); see `DenoiserOptions.gateRatio`. */
  gateRatio?: number;
  /** WASM build inside the worklet (default `'auto'`). */
  wasmBuild?: CoreBuildChoice;
  /**
   * URL of the processor file, `tinyhush/web-processor` (`dist/web-processor.js`). Default: next to
   * this module (`new URL('./web-processor.js', import.meta.url)`, which bundlers resolve).
   */
  processorUrl?: string | URL;
  /** Telemetry events per second (default 10; 0 turns them off). */
  telemetryHz?: number;
}

/** The node: an `AudioWorkletNode` with tinyhush's controls. */
export interface DenoiserNode extends AudioWorkletNode {
  /** The model's exits, cheapest first. */
  readonly exits: readonly ExitInfo[];
  /** Output delay in samples at the context rate, and exactly in seconds. */
  readonly latencySamples: number;
  readonly latencySeconds: number;
  /** The WASM build the worklet runs. */
  readonly wasmBuild: CoreBuild;
  /** The policy running now, defaults filled in. */
  readonly policy: ResolvedPolicySpec;
  /** The model's channel gates (empty without); `decides` marks the gates the gate ratio steers. */
  readonly gates: readonly GateInfo[];
  /** The gate ratio the worklet runs at outside a budget policy (clamped to 0.25–1; 1 for a model whose gates do not decide). */
  readonly gateRatio: number;
  /** The latest telemetry (updated `telemetryHz` times a second; undefined before the first). */
  readonly telemetry: WorkletTelemetry | undefined;
  /** Runs every following frame through `exit`. Resolves once the worklet runs it. */
  setExit(exit: number): Promise<ResolvedPolicySpec>;
  /** Switches the exit policy; rejects with `InvalidOptionError` for a bad spec. */
  setPolicy(policy: PolicySpec): Promise<ResolvedPolicySpec>;
  /**
   * Runs the following frames at gate ratio `ratio`, as `Denoiser.setGateRatio`. Resolves with the
   * ratio applied (clamped to the model's range) once the worklet runs it; rejects with
   * `InvalidOptionError` unless `ratio` is a number from 0 to 1.
   */
  setGateRatio(ratio: number): Promise<number>;
  /** `false`: the input passes through, delayed by the same latency (A/B); the model keeps running. */
  setEnabled(enabled: boolean): Promise<void>;
  /** Starts a new stream (model state, histories). */
  reset(): Promise<void>;
  resetTelemetry(): Promise<void>;
  /** Disconnects the node and frees the worklet's denoiser. */
  dispose(): void;
  /**
   * `'telemetry'` events (`telemetryHz` a second) carry a {@link WorkletTelemetry} in `detail`: the
   * stream's report (cost, exits, real-time factor, `speechProbability`, `gateActiveRatio`),
   * `speechFrames`, the speech probability of every frame since the previous event, and
   * `gateFrames`, each gate's share of channels that ran in those frames.
   */
  addEventListener(type: 'telemetry', listener: (event: CustomEvent<WorkletTelemetry>) => void): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject): void;
}

const ERRORS: Record<string, new (message: string) => TinyhushError> = {
  InvalidOptionError, ModelFormatError, UnsupportedRateError, UnknownModelError, WavFormatError,
};

/** The typed error the worklet threw, rebuilt on this side. */
function rebuild(error: ErrorData): TinyhushError {
  const Typed = ERRORS[error.name];
  return Typed !== undefined ? new Typed(error.message) : new TinyhushError(error.code, error.message);
}

const modulesAdded = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();

/** Adds the processor file to `context` once per URL. */
function addProcessor(context: BaseAudioContext, url: string): Promise<void> {
  let added = modulesAdded.get(context);
  if (added === undefined) modulesAdded.set(context, added = new Map());
  let loading = added.get(url);
  if (loading === undefined) {
    loading = context.audioWorklet.addModule(url);
    added.set(url, loading);
  }
  return loading;
}

async function modelBytes(model: DenoiserNodeOptions['model']): Promise<Uint8Array> {
  if (isUint8Array(model)) return model;
  if (model instanceof ArrayBuffer) return new Uint8Array(model);
  if (typeof model === 'string' || model instanceof URL) {
    const response = await fetch(model);
    if (!response.ok) throw new InvalidOptionError(`model ${String(model)}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  throw new InvalidOptionError(`model must be the bytes of a .thm file (Uint8Array, ArrayBuffer) or its URL, got ${typeof model}`);
}

const KNOWN_KEYS = ['model', 'channels', 'exit', 'policy', 'gateRatio', 'wasmBuild', 'processorUrl', 'telemetryHz'];

/**
 * Creates a denoising `AudioWorkletNode` on `context` (an `AudioContext` or `OfflineAudioContext`
 * at 8000, 16000, 22050, 24000, 32000, 44100 or 48000 Hz). Resolves once the worklet has built
 * its denoiser; connect it like any node.
 * @throws InvalidOptionError, UnsupportedRateError, ModelFormatError as `createDenoiser` does.
 */
export async function createDenoiserNode(context: BaseAudioContext, options: DenoiserNodeOptions): Promise<DenoiserNode> {
  const unknown = Object.keys(options ?? {}).filter((key) => !KNOWN_KEYS.includes(key));
  if (unknown.length > 0) throw new InvalidOptionError(`unknown option(s) ${unknown.join(', ')}; supported: ${KNOWN_KEYS.join(', ')}`);
  const { channels = 1, exit, policy, gateRatio, wasmBuild, telemetryHz = 10 } = options;
  if (typeof telemetryHz !== 'number' || !(telemetryHz >= 0)) {
    throw new InvalidOptionError(`telemetryHz must be a number ≥ 0, got ${String(telemetryHz)}`);
  }
  const model = await modelBytes(options.model);
  // The same checks createDenoiser makes, here, so a bad option throws before the worklet loads.
  checkOptions({
    model, sampleRate: context.sampleRate, channels, exit, policy,
    ...(gateRatio !== undefined && { gateRatio }), ...(wasmBuild !== undefined && { wasmBuild }),
  });
  const url = String(options.processorUrl ?? new URL('./web-processor.js', import.meta.url));
  await addProcessor(context, url);
  const processorOptions: ProcessorOptions = {
    model, channels, telemetryHz,
    ...(exit !== undefined && { exit }), ...(policy !== undefined && { policy }),
    ...(gateRatio !== undefined && { gateRatio }), ...(wasmBuild !== undefined && { wasmBuild }),
  };
  const node = new AudioWorkletNode(context, PROCESSOR_NAME, {
    numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [channels],
    channelCount: channels, channelCountMode: 'explicit', channelInterpretation: 'speakers',
    processorOptions,
  });
  return attach(node);
}

/** Waits for the worklet's answer, then gives the node its controls. */
function attach(node: AudioWorkletNode): Promise<DenoiserNode> {
  const pending = new Map<number, { resolve: (policy: ResolvedPolicySpec) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let telemetry: WorkletTelemetry | undefined;
  const state = { policy: undefined as unknown as ResolvedPolicySpec, gateRatio: 1 };
  const request = (message: { type: ToProcessor['type'] } & Record<string, unknown>): Promise<ResolvedPolicySpec> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      node.port.postMessage({ ...message, id });
    });
  return new Promise((resolve, reject) => {
    node.onprocessorerror = () => reject(new TinyhushError('WORKLET', 'the tinyhush worklet processor failed to start'));
    node.port.onmessage = (event: MessageEvent<FromProcessor>) => {
      const message = event.data;
      switch (message.type) {
        case 'failed': reject(rebuild(message.error)); break;
        case 'telemetry':
          telemetry = message.telemetry;
          node.dispatchEvent(new CustomEvent('telemetry', { detail: telemetry }));
          break;
        case 'done':
        case 'rejected': {
          const waiting = pending.get(message.id);
          pending.delete(message.id);
          if (message.type === 'done') {
            state.policy = message.policy;
            state.gateRatio = message.gateRatio;
            waiting?.resolve(message.policy);
          } else {
            waiting?.reject(rebuild(message.error));
          }
          break;
        }
        case 'ready': {
          const { info } = message;
          state.policy = info.policy;
          state.gateRatio = info.gateRatio;
          const controls = {
            exits: info.exits,
            gates: info.gates,
            latencySamples: info.latencySamples,
            latencySeconds: info.latencySeconds,
            wasmBuild: info.wasmBuild,
            setExit: (exit: number) => request({ type: 'policy', policy: { kind: 'fixed', exit } }),
            setPolicy: (policy: PolicySpec) => request({ type: 'policy', policy }),
            setGateRatio: async (ratio: number) => {
              assertGateRatio(ratio); // here, so that a value the port cannot send rejects typed too
              await request({ type: 'gate-ratio', ratio });
              return state.gateRatio;
            },
            setEnabled: async (enabled: boolean) => { await request({ type: 'enabled', enabled: Boolean(enabled) }); },
            reset: async () => { await request({ type: 'reset' }); },
            resetTelemetry: async () => { await request({ type: 'reset-telemetry' }); },
            dispose: () => {
              node.disconnect();
              node.port.postMessage({ type: 'dispose', id: 0 });
            },
          };
          Object.defineProperties(node, {
            ...Object.getOwnPropertyDescriptors(controls),
            policy: { get: () => state.policy },
            gateRatio: { get: () => state.gateRatio },
            telemetry: { get: () => telemetry },
          });
          resolve(node as DenoiserNode);
          break;
        }
      }
    };
  });
}
