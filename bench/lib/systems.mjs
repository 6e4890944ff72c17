/**
 * Every system the benchmark measures, behind one interface: tinyhush (each bundled model, each
 * exit) and the peers. A system is
 * `{ id, label, kind, sampleRate, frameSize, macsPerSecond?, prepare(input16k) → Prepared,
 *    denoise(input16k) → aligned output }` with `Prepared.start() → Run` and
 * `Run = { processAll(), telemetry?(), memoryBytes?(), dispose() }`. `prepare` does the work that is
 * not timed (resampling, scaling, framing); `processAll` is exactly the streaming loop.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peers } from '../peers/index.mjs';
import { denoiseWithPeer, framesFor, toPeerInput } from '../peers/run-file.mjs';
import { modelsDir } from './paths.mjs';
import { loadTinyhush } from './tinyhush-api.mjs';

const TINYHUSH_RATE = 16000;
/** 10 ms at 16 kHz: tinyhush is fed in the hop size it runs at. */
const TINYHUSH_CHUNK = 160;

/** A peer wrapped as a system. */
function peerSystem(peer) {
  return {
    id: peer.id,
    label: peer.name,
    kind: 'peer',
    sampleRate: peer.sampleRate,
    frameSize: peer.frameSize,
    macsPerSecond: peer.macsPerSecond,
    unavailableReason: peer.unavailableReason?.() ?? null,
    prepare(input16k) {
      const native = toPeerInput(peer, input16k);
      // Only the frames that cover the input: the delay drain is not part of the timed stream.
      const frames = framesFor(peer, native).slice(0, Math.ceil(native.length / peer.frameSize));
      return {
        async start() {
          const instance = await peer.create();
          return {
            async processAll() {
              for (const frame of frames) {
                const out = instance.processFrame(frame);
                if (typeof out.then === 'function') await out;
              }
            },
            memoryBytes: () => instance.memoryBytes(),
            dispose: () => instance.dispose(),
          };
        },
      };
    },
    denoise: (input16k) => denoiseWithPeer(peer, input16k),
  };
}

/** One tinyhush model run with one policy (a fixed exit, the adaptive or a budget policy) and gate ratio, as a system. */
export function tinyhushSystem(api, modelName, modelBytes, variant) {
  const model = api.readModel(modelBytes);
  const open = () => api.createDenoiser({ model, sampleRate: TINYHUSH_RATE, channels: 1, policy: variant.policy, gateRatio: variant.gateRatio });
  return {
    id: `tinyhush-${modelName}-${variant.id}`,
    label: `tinyhush ${modelName} ${variant.label}`,
    kind: 'tinyhush',
    sampleRate: TINYHUSH_RATE,
    frameSize: TINYHUSH_CHUNK,
    model: modelName,
    unavailableReason: null,
    prepare(input16k) {
      const chunks = Math.floor(input16k.length / TINYHUSH_CHUNK);
      return {
        async start() {
          const denoiser = open();
          const output = new Float32Array(TINYHUSH_CHUNK);
          return {
            processAll() {
              for (let c = 0; c < chunks; c++) {
                denoiser.process(input16k.subarray(c * TINYHUSH_CHUNK, (c + 1) * TINYHUSH_CHUNK), output);
              }
            },
            telemetry: () => denoiser.telemetry(),
            dispose: () => denoiser.dispose(),
          };
        },
      };
    },
    async denoise(input16k) {
      const denoiser = open();
      try {
        const delayed = denoiser.process(input16k);
        const [tail] = denoiser.flush();
        // Output n is input n − latency: drop the primed zeros, append the flushed tail.
        const aligned = new Float32Array(input16k.length);
        aligned.set(delayed.subarray(denoiser.latencySamples));
        aligned.set(tail, input16k.length - denoiser.latencySamples);
        return aligned;
      } finally {
        denoiser.dispose();
      }
    },
  };
}

/** The `.thm` files in `modelsDir`, by name. */
function bundledModels() {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((file) => file.endsWith('.thm'))
    .sort()
    .map((file) => ({ name: file.slice(0, -4), bytes: new Uint8Array(readFileSync(join(modelsDir, file))) }));
}

/**
 * The policies each model is measured with: every fixed exit, the adaptive policy, and a budget
 * halfway between the cheapest exit and the full model.
 */
export function policyVariants(exits) {
  const fixed = exits.map((info, exit) => ({
    id: `exit${exit}`, label: `exit ${exit}/${exits.length - 1} (${info.name})`, policy: { kind: 'fixed', exit },
  }));
  if (exits.length < 2) return fixed;
  const perSecond = (exit) => exits[exit].macsPerFrame * TINYHUSH_RATE / TINYHUSH_CHUNK;
  const budget = Math.round((perSecond(0) + perSecond(exits.length - 1)) / 2);
  return [
    ...fixed,
    { id: 'adaptive', label: 'adaptive policy (--exit auto)', policy: { kind: 'adaptive' } },
    { id: 'budget', label: `budget policy ${(budget / 1e6).toFixed(1)} MMAC/s`, policy: { kind: 'budget', macsPerSecond: budget } },
  ];
}

/** The gate ratios a model whose gates decide is measured at (issue 16's table): the full exit at each. */
const GATE_RATIOS = [0.25, 0.5, 0.75, 1];

/** A model with deciding gates: one variant per gate ratio at the full exit (its only exit, for fsenet). */
function gateRatioVariants(exits) {
  const exit = exits.length - 1;
  return GATE_RATIOS.map((gateRatio) => ({
    id: `ratio${gateRatio}`, label: `gate ratio ${gateRatio}`, policy: { kind: 'fixed', exit }, gateRatio,
  }));
}

/** tinyhush systems: every bundled model with every policy variant, or every gate ratio (needs the build). */
export async function tinyhushSystems() {
  const api = await loadTinyhush();
  return bundledModels().flatMap(({ name, bytes }) => {
    const probe = api.createDenoiser({ model: bytes, sampleRate: TINYHUSH_RATE });
    const { exits, gates } = probe;
    probe.dispose();
    const variants = gates.some((gate) => gate.decides) ? gateRatioVariants(exits) : policyVariants(exits);
    return variants.map((variant) => tinyhushSystem(api, name, bytes, variant));
  });
}

/** The peers as systems. */
export function peerSystems() {
  return peers.map(peerSystem);
}

/** All systems, tinyhush first. */
export async function allSystems() {
  return [...(await tinyhushSystems()), ...peerSystems()];
}
