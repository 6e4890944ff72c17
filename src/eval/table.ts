/** Markdown rendering of an evaluation report. */

import type { EvalReport, Scores } from './evaluate.js';

const fixed = (digits: number) => (value: number | undefined) => (value === undefined ? '' : value.toFixed(digits));
const dB = fixed(2);
const ratio = fixed(3);
const mos = fixed(2);
const signed = (format: (v: number | undefined) => string) => (value: number | undefined) =>
  (value === undefined ? '' : `${value >= 0 ? '+' : ''}${format(value)}`);

function scoreCells(scores: Scores | undefined, withDnsmos: boolean, format = (f: (v?: number) => string) => f): string[] {
  const cells = [format(dB)(scores?.sisdr), format(ratio)(scores?.stoi), format(ratio)(scores?.estoi)];
  if (withDnsmos) {
    cells.push(format(mos)(scores?.dnsmos?.sig), format(mos)(scores?.dnsmos?.bak), format(mos)(scores?.dnsmos?.ovrl));
  }
  return cells;
}

/**
 * A Markdown table: one row per file with the enhanced scores (and, when the report has noisy
 * inputs, the improvements over them), then the means.
 */
export function formatTable(report: EvalReport): string {
  const withDnsmos = report.mean.enhanced.dnsmos !== undefined;
  const withNoisy = report.mean.improvement !== undefined;
  const scoreNames = ['SI-SDR (dB)', 'STOI', 'ESTOI', ...(withDnsmos ? ['SIG', 'BAK', 'OVRL'] : [])];
  const header = ['file', ...scoreNames, ...(withNoisy ? scoreNames.map((name) => `Δ${name}`) : []), 'delay (samples)'];
  const row = (label: string, scores: Scores | undefined, improvement: Scores | undefined, delay: string) => [
    label, ...scoreCells(scores, withDnsmos),
    ...(withNoisy ? scoreCells(improvement, withDnsmos, signed) : []), delay,
  ];
  const rows = report.files.map((file) => row(file.name, file.enhanced, file.improvement, String(file.enhanced.delaySamples)));
  rows.push(row('**mean**', report.mean.enhanced, report.mean.improvement, ''));
  if (report.mean.noisy) rows.push(row('**mean, noisy input**', report.mean.noisy, undefined, ''));
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
