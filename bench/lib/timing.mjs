/**
 * Interleaved A/B timing: every round runs each system once over the same input, in an order
 * rotated per round, so slow drift of a shared machine (other jobs, clock changes) spreads over all
 * systems instead of biasing whichever ran last. Reports medians over rounds.
 */

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Wall and CPU seconds of one `processAll()` (creation and disposal are not timed). */
async function timeOneRun(prepared) {
  const run = await prepared.start();
  try {
    const cpuBefore = process.cpuUsage();
    const wallBefore = process.hrtime.bigint();
    await run.processAll();
    const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      telemetry: run.telemetry?.(),
      memoryBytes: run.memoryBytes?.(),
    };
  } finally {
    await run.dispose();
  }
}

/**
 * Times `systems` on `input16k`.
 * @param {object[]} systems see `systems.mjs`
 * @param {Float32Array} input16k
 * @param {{ rounds: number, warmupSeconds: number, onProgress?: (line: string) => void }} options
 * @returns {Promise<Map<string, { wallSeconds: number[], cpuSeconds: number[], last: object }>>}
 *   per system id, the samples of every round and the last run's telemetry / memory
 */
export async function timeInterleaved(systems, input16k, { rounds, warmupSeconds, onProgress = () => {} }) {
  const prepared = systems.map((system) => system.prepare(input16k));
  // Warm-up: lets V8 tier the wasm and the JS glue up before anything is timed.
  const warmup = input16k.subarray(0, Math.round(warmupSeconds * 16000));
  for (const system of systems) await timeOneRun(system.prepare(warmup));
  const samples = new Map(systems.map((s) => [s.id, { wallSeconds: [], cpuSeconds: [], last: null }]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < systems.length; k++) {
      const index = (round + k) % systems.length;
      const result = await timeOneRun(prepared[index]);
      const entry = samples.get(systems[index].id);
      entry.wallSeconds.push(result.wallSeconds);
      entry.cpuSeconds.push(result.cpuSeconds);
      entry.last = result;
      onProgress(`round ${round + 1}/${rounds} ${systems[index].id}: ${result.wallSeconds.toFixed(2)} s`);
    }
  }
  return samples;
}

/**
 * Summary of one system's samples over `audioSeconds` of audio: medians of wall time per 10 ms
 * of audio, real-time factor, CPU seconds per audio second, and MACs per second (counted by
 * tinyhush's telemetry, documented for peers).
 */
export function summarize(system, entry, audioSeconds) {
  const wall = median(entry.wallSeconds);
  const cpu = median(entry.cpuSeconds);
  const telemetry = entry.last?.telemetry;
  return {
    id: system.id,
    label: system.label,
    kind: system.kind,
    sampleRate: system.sampleRate,
    frameSize: system.frameSize,
    rounds: entry.wallSeconds.length,
    msPer10ms: (wall / (audioSeconds * 100)) * 1000,
    realTimeFactor: wall / audioSeconds,
    cpuSecondsPerSecond: cpu / audioSeconds,
    wallSpread: [Math.min(...entry.wallSeconds) / audioSeconds, Math.max(...entry.wallSeconds) / audioSeconds],
    macsPerSecond: telemetry ? telemetry.macs / audioSeconds : system.macsPerSecond.value,
    macsSource: telemetry ? 'counted by tinyhush telemetry' : system.macsPerSecond.source,
    macsDensePerSecond: telemetry ? telemetry.macsDense / audioSeconds : null,
    exitHistogram: telemetry?.exitHistogram ?? null,
    wasmMemoryBytes: Number.isFinite(entry.last?.memoryBytes) ? entry.last.memoryBytes : null,
  };
}
