/** Report sections on what streams take: a denormal storm, how many streams one core holds, memory per stream. */

const fixed = (value, digits) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Rows of bench/lib/denormal.mjs. */
export function denormalSection(denormals) {
  if (!denormals) return 'Not measured in this run.';
  if (denormals.error) return `Not measured: ${denormals.error}`;
  const { sampleRate, channels, seconds, rounds } = denormals.rows[0];
  return [
    `One ${sampleRate / 1000} kHz ${channels}-channel stream of ${seconds} s in 10 ms chunks, default model and build; real-time `
      + `factor in CPU seconds per audio second, medians of ${rounds} interleaved rounds. Goal: a storm costs at most 1.2× noisy speech.`,
    '',
    table(['input', 'real-time factor', '× noisy speech', 'subnormal output samples'],
      denormals.rows.map((r) => [r.input, fixed(r.realTimeFactor, 4), fixed(r.ratioToSpeech, 2), String(r.subnormalOutputSamples)])),
  ].join('\n');
}

const kib = (bytes) => (bytes === null || bytes === undefined ? '—' : (bytes / 1024).toFixed(0));

/** Streams per core (bench/lib/streams.mjs) and memory per additional stream. */
export function streamsSection(streams) {
  if (!streams) return 'Not measured in this run.';
  if (streams.error) return `Not measured: ${streams.error}`;
  const { streams: count, seconds } = streams.rows[0];
  return [
    `${count} mono streams of one host (\`createDenoiserHost\`, ${streams.wasmBuild} build) on one thread, each fed ${seconds} s `
      + 'of speech-like audio in 10 ms chunks in turn. Streams per core = audio seconds / CPU seconds.',
    '',
    table(['rate', 'exit', 'real-time factor per stream', 'real-time streams per core'],
      streams.rows.map((r) => [`${r.sampleRate / 1000} kHz`, `${r.exit} (${r.exitName})`, fixed(r.realTimeFactorPerStream, 4),
        fixed(r.streamsPerCore, 1)])),
    '',
    `Memory per additional stream: a host with ${streams.memory[0].added + 1} streams against one (fresh process per row, after a `
      + 'full collection); stand-alone: the same number of `createDenoiser` instances, each with its own weights.',
    '',
    table(['stream', 'WASM KiB', 'JS heap KiB', 'WASM + JS KiB', 'RSS KiB', 'stand-alone RSS KiB per denoiser'],
      streams.memory.map((m) => [`${m.sampleRate / 1000} kHz, ${m.channels} ch`, kib(m.wasmBytesPerStream), kib(m.jsHeapBytesPerStream),
        kib(m.wasmBytesPerStream + m.jsHeapBytesPerStream), kib(m.rssBytesPerStream), kib(m.standAloneRssBytesPerDenoiser)])),
  ].join('\n');
}
