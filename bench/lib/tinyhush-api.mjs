/**
 * The benchmark uses tinyhush through its public, built API only (`dist/`, made by `npm run
 * build`). Loaded lazily, so the peer harness works without a build.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.mjs';

const entry = join(repoRoot, 'dist/node.js');

/** `tinyhush/node` from the build; throws with the fix when it has not been built. */
export async function loadTinyhush() {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (npm run bench does) first`);
  return import(pathToFileURL(entry).href);
}

/** Reads a mono WAV file as Float32 samples, checking its rate. */
export async function readMono(path, expectedRate) {
  const { readWavFile } = await loadTinyhush();
  const { sampleRate, channels } = await readWavFile(path);
  if (sampleRate !== expectedRate || channels.length !== 1) {
    throw new Error(`${path}: expected mono ${expectedRate} Hz, got ${channels.length} channel(s) at ${sampleRate} Hz`);
  }
  return channels[0];
}

/** Writes mono float samples as a 32-bit float WAV file (no requantisation before scoring). */
export async function writeMono(path, samples, sampleRate) {
  const { writeWavFile } = await loadTinyhush();
  await writeWavFile(path, { sampleRate, channels: [samples], format: 'f32le' });
}
