/** Report sections on what a stream can take: a denormal storm, and how many streams one core holds. */

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
    `One ${sampleRate / 1000} kHz ${channels}-channel stream of ${seconds} s in 10 ms chunks, default model and build; medians of `
      + `${rounds} interleaved rounds. Goal: a storm costs at most 1.2× noisy speech.`,
    '',
    table(['input', 'real-time factor', '× noisy speech', 'subnormal output samples'],
      denormals.rows.map((r) => [r.input, fixed(r.realTimeFactor, 4), fixed(r.ratioToSpeech, 2), String(r.subnormalOutputSamples)])),
  ].join('\n');
}
