/**
 * Many streams in one process: how many real-time streams one core holds at each exit (streams of
 * one host, fed 10 ms chunks in turn, as a server would), and what each additional stream costs in
 * memory (WASM bytes and JS heap, 64 streams against 1), beside 64 stand-alone denoisers (each
 * with its own copy of the weights). The memory part runs in a child process started with
 * --expose-gc, so the heap figures are taken after a full collection.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { noisySpeechLike } from './synthetic.mjs';
import { loadTinyhush } from './tinyhush-api.mjs';

const self = fileURLToPath(import.meta.url);
const STREAMS = 16; // timed together: their states compete for the caches as a server's would
const ADDED = 64;

/** CPU seconds for `streams` streams of `exit` to each take `input` (mono) in 10 ms chunks. */
function cpuSecondsFor(host, exit, streams, rate, input) {
  const chunk = rate / 100;
  const all = Array.from({ length: streams }, () => host.createStream({ sampleRate: rate, exit }));
  const out = new Float32Array(chunk);
  const before = process.cpuUsage();
  for (let at = 0; at + chunk <= input.length; at += chunk) {
    const part = input.subarray(at, at + chunk);
    for (const stream of all) stream.process(part, out);
  }
  const cpu = process.cpuUsage(before);
  for (const stream of all) stream.dispose();
  return (cpu.user + cpu.system) / 1e6;
}

/**
 * Per exit and rate: the real-time factor of one stream among `STREAMS`, and the streams one core
 * holds in real time (audio seconds per CPU second).
 */
export async function benchStreamsPerCore({ seconds = 10, rates = [16000, 48000] } = {}) {
  const { createDenoiserHost } = await loadTinyhush();
  const host = createDenoiserHost({});
  const speech = noisySpeechLike({ seconds: seconds * 3 }).noisy; // 16 kHz samples, reused as any rate's
  const rows = [];
  for (const rate of rates) {
    const input = speech.subarray(0, seconds * rate);
    cpuSecondsFor(host, host.exits.length - 1, STREAMS, rate, input.subarray(0, rate)); // warm-up
    for (let exit = 0; exit < host.exits.length; exit++) {
      const cpu = cpuSecondsFor(host, exit, STREAMS, rate, input);
      rows.push({
        exit, exitName: host.exits[exit].name, sampleRate: rate, streams: STREAMS, seconds,
        realTimeFactorPerStream: cpu / (STREAMS * seconds), streamsPerCore: (STREAMS * seconds) / cpu,
      });
    }
  }
  host.dispose();
  return { rows, wasmBuild: host.wasmBuild };
}

/** Memory per additional stream, each shape measured in a fresh child process (see the module comment). */
export async function benchStreamMemory(shapes = [[16000, 1], [48000, 2]]) {
  const rows = [];
  for (const [rate, channels] of shapes) {
    const args = ['--expose-gc', self, 'memory', String(rate), String(channels)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
    rows.push(JSON.parse(stdout));
  }
  return rows;
}

/** JS heap (objects and typed-array buffers, not WASM memory) and RSS after a full collection. */
function settled() {
  globalThis.gc();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { heap: heapUsed + arrayBuffers, rss };
}

/** The probe of one shape: a host's streams 2…65 against stand-alone denoisers 1…64. */
async function memoryProbe(rate, channels) {
  const { createDenoiser, createDenoiserHost } = await loadTinyhush();
  const chunk = new Float32Array(rate / 100);
  const feed = (denoiser) => denoiser.process(Array.from({ length: channels }, () => chunk));
  const host = createDenoiserHost({});
  const streams = [host.createStream({ sampleRate: rate, channels })];
  feed(streams[0]);
  const wasm1 = host.memoryBytes;
  const at1 = settled();
  for (let i = 0; i < ADDED; i++) {
    streams.push(host.createStream({ sampleRate: rate, channels }));
    feed(streams.at(-1));
  }
  const at65 = settled();
  const standAlone = [];
  for (let i = 0; i < ADDED; i++) {
    standAlone.push(createDenoiser({ sampleRate: rate, channels }));
    feed(standAlone.at(-1));
  }
  const atAlone = settled();
  process.stdout.write(JSON.stringify({
    sampleRate: rate, channels, added: ADDED,
    wasmBytesPerStream: (host.memoryBytes - wasm1) / ADDED,
    jsHeapBytesPerStream: (at65.heap - at1.heap) / ADDED,
    rssBytesPerStream: (at65.rss - at1.rss) / ADDED,
    standAloneRssBytesPerDenoiser: (atAlone.rss - at65.rss) / ADDED,
  }));
}

if (process.argv[1] === self && process.argv[2] === 'memory') await memoryProbe(Number(process.argv[3]), Number(process.argv[4]));
