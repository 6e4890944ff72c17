/**
 * Peak memory of one system, measured in a fresh child process so systems do not inflate each
 * other's figures: `node bench/lib/memory-probe.mjs <systemId> <input.f32>` prints JSON with the
 * process's peak RSS (Node itself included) and how much RSS creating and running the system added.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { peerSystems, tinyhushSystems } from './systems.mjs';

const self = fileURLToPath(import.meta.url);

/**
 * Spawns the probe for `systemId` on the samples stored at `inputPath` (raw float32).
 * @returns {Promise<{ peakRssBytes: number, rssGrowthBytes: number }>}
 */
export async function probeMemory(systemId, inputPath) {
  const { stdout } = await promisify(execFile)(process.execPath, [self, systemId, inputPath], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

/** Stores `samples` where `probeMemory` can read them. */
export async function writeProbeInput(path, samples) {
  await writeFile(path, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
}

async function main(systemId, inputPath) {
  const bytes = await readFile(inputPath);
  const input = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const byId = (s) => s.id === systemId;
  const system = peerSystems().find(byId) ?? (await tinyhushSystems()).find(byId);
  if (!system) throw new Error(`unknown system ${systemId}`);
  const prepared = system.prepare(input);
  const baselineRssBytes = process.memoryUsage().rss;
  const run = await prepared.start();
  await run.processAll();
  // Taken before dispose: what the running system holds (wasm memory, sessions, state).
  const rssGrowthBytes = process.memoryUsage().rss - baselineRssBytes;
  await run.dispose();
  // maxRSS is in kibibytes.
  process.stdout.write(JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024, rssGrowthBytes }));
}

if (process.argv[1] === self) await main(process.argv[2], process.argv[3]);
