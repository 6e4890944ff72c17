/** Renders `bench/results/latest.json` as the Markdown report `latest.md`. */
import { denormalSection, streamsSection } from './report-capacity.mjs';

const fixed = (value, digits) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const mega = (value) => (value === null || value === undefined ? '—' : `${(value / 1e6).toFixed(1)} M`);
const mib = (bytes) => (bytes === null || bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(1));

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function kernelsSection(kernels) {
  if (kernels.error) return `Not measured: ${kernels.error}`;
  // Reports from before the relaxed build have no `build`: they measured the SIMD build.
  return table(['build', 'kernel', 'shape', 'GMAC/s', 'scalar GMAC/s', 'SIMD / scalar', 'fraction of the build\'s f32x4 ceiling', 'µs per call'],
    kernels.rows.map((k) => [k.build ?? 'simd', k.kernel, k.shape, fixed(k.gmacs, 2), fixed(k.scalarGmacs, 2), fixed(k.ratio, 2),
      fixed(k.ceilingFraction, 2), fixed(k.usPerCall, 2)]));
}

function ratioCell(ratio) {
  return ratio > 1 ? `${ratio.toFixed(2)}× **tinyhush behind**` : `${ratio.toFixed(2)}×`;
}

function endToEndSection(e2e) {
  const lines = [
    `Input: ${e2e.input.source}, ${e2e.input.seconds} s at 16 kHz, fed in each system's native frame (tinyhush: 10 ms chunks); `
      + `peers at their native rate (resampling not timed). One thread. Medians of ${e2e.rounds} interleaved rounds after a warm-up.`,
    '',
    table(['system', 'rate / frame', 'ms per 10 ms audio', 'real-time factor', 'CPU s per s', 'RTF min–max', 'MACs/s', 'MACs source', 'peak RSS MiB', 'RSS growth MiB', 'wasm memory MiB'],
      e2e.systems.map((s) => [s.label, `${s.sampleRate / 1000} kHz / ${s.frameSize}`, fixed(s.msPer10ms, 3), fixed(s.realTimeFactor, 4),
        fixed(s.cpuSecondsPerSecond, 4), `${fixed(s.wallSpread[0], 4)}–${fixed(s.wallSpread[1], 4)}`, mega(s.macsPerSecond), s.macsSource,
        mib(s.memory?.peakRssBytes), mib(s.memory?.rssGrowthBytes), mib(s.wasmMemoryBytes)])),
  ];
  if (e2e.notMeasured.length) lines.push('', ...e2e.notMeasured.map((n) => `- not measured: **${n.id}**: ${n.reason}`));
  if (e2e.ratios.length) {
    const peers = [...new Set(e2e.ratios.map((r) => r.peer))];
    const tiny = [...new Set(e2e.ratios.map((r) => r.tinyhush))];
    lines.push('', 'Ratio of CPU time, tinyhush / peer (below 1: tinyhush is cheaper):', '',
      table(['tinyhush system', ...peers], tiny.map((t) => [t, ...peers.map((p) => ratioCell(e2e.ratios.find((r) => r.tinyhush === t && r.peer === p).cpuRatio))])));
  }
  lines.push('', 'Peak RSS: the whole Node process of a fresh child running only that system (Node, all harness modules and the input '
    + 'included). RSS growth: RSS after the 60 s run minus RSS just before the system was created (what it holds while running).');
  return lines.join('\n');
}

function qualitySection(quality) {
  if (quality.skipped) return `Not measured: ${quality.skipped}`;
  const dnsmos = (s, key) => fixed(s.mean?.dnsmos?.[key], 2);
  const lines = [
    `${quality.files} files of the held-out test split (${quality.testsetDir}; fewer than all are spread evenly over noise `
      + `sources and SNRs), scored by \`tinyhush eval\`; outputs aligned by each system's `
      + `delay before scoring. Quality in the plot: ${quality.measure}.`,
    '',
    table(['system', 'SI-SDR dB', 'STOI', 'ESTOI', 'DNSMOS SIG', 'DNSMOS BAK', 'DNSMOS OVRL', 'note'],
      quality.systems.map((s) => [s.label, fixed(s.mean?.sisdr, 2), fixed(s.mean?.stoi, 3), fixed(s.mean?.estoi, 3),
        dnsmos(s, 'sig'), dnsmos(s, 'bak'), dnsmos(s, 'ovrl'), s.error ?? s.behind ?? ''])),
    '',
    `![quality against cost](${quality.plot.png ?? quality.plot.svg})`,
    '',
    `Plot: [${quality.plot.svg}](${quality.plot.svg})${quality.plot.png ? `, [${quality.plot.png}](${quality.plot.png})` : ` (no PNG: ${quality.plot.pngError})`}.`,
  ];
  return lines.join('\n');
}

function machineSection(m) {
  return table(['', ''], [
    ['CPU', m.cpuModel], ['logical cores', String(m.logicalCores)], ['memory', `${m.memoryGiB} GiB`], ['OS', m.os],
    ['Node', `${m.node} (V8 ${m.v8})`], ['Node flags', m.nodeFlags.join(' ') || 'none'],
    ['WebAssembly SIMD', m.wasmSimd ? 'available, used by tinyhush and RNNoise SIMD' : 'not available'],
    ['relaxed SIMD', m.wasmRelaxedSimd ? 'available (not used by this build)' : 'not enabled in this Node (not used)'],
  ]);
}

/** The whole report. */
export function renderMarkdown(results) {
  return [
    '# tinyhush benchmark', '',
    `Produced by \`${results.command}\` in ${fixed(results.elapsedSeconds, 0)} s. How to read it: bench/README.md.`, '',
    '## 1. Kernels', '', kernelsSection(results.kernels), '',
    '## 2. End to end, streaming', '', endToEndSection(results.endToEnd), '',
    '## 3. Quality vs cost', '', qualitySection(results.quality), '',
    '## 3b. Denormal storm', '', denormalSection(results.denormals), '',
    '## 3c. Many streams', '', streamsSection(results.streams), '',
    '## 4. Machine', '', machineSection(results.machine), '',
  ].join('\n');
}
