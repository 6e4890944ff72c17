/**
 * The picture of dynamic channel pruning (issue 16, as in the DynCP paper): the input's
 * spectrogram on top, then one panel per gate with its expanded channels down and time across,
 * dark where the channels ran in that frame, and the gate's share of channels that ran. Channels
 * are sorted by how often they ran (most active on top), so the structure shows; a gate with more
 * channels than its panel has pixel rows shows groups of neighbours (in that order) per row, as
 * dark as the share of them that ran. Equal neighbouring cells along time are merged into one
 * rectangle to keep the file small.
 */
import { escapeXml } from './svg-text.js';
import { niceTicks } from './ticks.js';

/** What `gateActivitySvg` draws. */
export interface GateActivityPlot {
  title: string;
  /** Input power spectra, one per column (bins low to high frequency), `columnSeconds` apart; bin 0 at 0 Hz, the last at `topHz`. */
  spectrogram: { frames: readonly ArrayLike<number>[]; columnSeconds: number; topHz: number };
  /** Model frames per second (the masks' time step). */
  framesPerSecond: number;
  /** Per gate: its name and, per model frame, its channel mask (non-zero = the channel ran). */
  gates: readonly { name: string; masks: readonly ArrayLike<number>[] }[];
}

const WIDTH = 980;
const MARGIN = { left: 150, right: 110, top: 44, bottom: 56 };
const SPECTROGRAM_HEIGHT = 130;
const GATE_HEIGHT = 64;
const GAP = 10;
/** Spectrogram: dB below the loudest cell drawn, and grey levels. */
const DYNAMIC_RANGE_DB = 70;
const LEVELS = 16;
const SPECTROGRAM_ROWS = 96;
/** Colour of a cell where all its channels ran (RGB); none: white. */
const ACTIVE = [27, 42, 73];

/** Rectangles of one row: runs of equal non-negative levels (−1: nothing drawn) merged along x. */
function rowRuns(levels: ArrayLike<number>, x: (i: number) => number, y: number, height: number, fill: (level: number) => string): string[] {
  const rects: string[] = [];
  let start = 0;
  for (let i = 1; i <= levels.length; i++) {
    if (i < levels.length && levels[i] === levels[start]) continue;
    if (levels[start] >= 0) {
      rects.push(`<rect x="${x(start).toFixed(2)}" y="${y.toFixed(2)}" width="${(x(i) - x(start)).toFixed(2)}" `
        + `height="${height.toFixed(2)}" fill="${fill(levels[start])}"/>`);
    }
    start = i;
  }
  return rects;
}

/**
 * The spectrogram as grey levels (0 = faintest drawn … LEVELS − 1 = loudest; −1 below the range),
 * one array per row of at most SPECTROGRAM_ROWS, each the mean power of its bins.
 */
function spectrogramLevels(frames: readonly ArrayLike<number>[]): Int8Array[] {
  const bins = frames[0]?.length ?? 0;
  const rows = Math.min(bins, SPECTROGRAM_ROWS);
  const db = frames.map((frame) => Array.from({ length: rows }, (_, r) => {
    const [from, to] = [Math.floor((r * bins) / rows), Math.floor(((r + 1) * bins) / rows)];
    let sum = 0;
    for (let k = from; k < to; k++) sum += frame[k];
    return 10 * Math.log10(sum / (to - from) + 1e-20);
  }));
  const top = Math.max(...db.map((frame) => Math.max(...frame)));
  return Array.from({ length: rows }, (_, k) => Int8Array.from(db, (frame) => {
    const level = Math.floor(((frame[k] - top + DYNAMIC_RANGE_DB) / DYNAMIC_RANGE_DB) * LEVELS);
    return level < 0 ? -1 : Math.min(level, LEVELS - 1);
  }));
}

/** The SVG document (UTF-8 text) of `plot`. */
export function gateActivitySvg(plot: GateActivityPlot): string {
  const { spectrogram, framesPerSecond, gates } = plot;
  const frames = Math.max(0, ...gates.map((gate) => gate.masks.length));
  const seconds = Math.max(frames / framesPerSecond, spectrogram.frames.length * spectrogram.columnSeconds);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const px = (t: number): number => MARGIN.left + (t / seconds) * plotWidth;
  const height = MARGIN.top + SPECTROGRAM_HEIGHT + gates.length * (GATE_HEIGHT + GAP) + MARGIN.bottom;
  const bottom = height - MARGIN.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" `
      + 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(plot.title)}</text>`,
  ];

  // Spectrogram: low frequencies at the bottom.
  const levels = spectrogramLevels(spectrogram.frames);
  const binHeight = SPECTROGRAM_HEIGHT / Math.max(1, levels.length);
  const grey = (level: number): string => {
    const v = Math.round(255 * (1 - (level + 1) / LEVELS));
    return `rgb(${v},${v},${v})`;
  };
  levels.forEach((row, k) => parts.push(...rowRuns(row, (i) => px(i * spectrogram.columnSeconds),
    MARGIN.top + SPECTROGRAM_HEIGHT - (k + 1) * binHeight, binHeight, grey)));
  const kHz = spectrogram.topHz / 1000;
  for (const f of niceTicks(0, kHz, 4)) {
    const y = MARGIN.top + SPECTROGRAM_HEIGHT * (1 - f / kHz);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${f}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${SPECTROGRAM_HEIGHT}" fill="none" stroke="#555"/>`,
    `<text x="14" y="${MARGIN.top + SPECTROGRAM_HEIGHT / 2}">input (kHz)</text>`);

  // One panel per gate: channels sorted by activity, most active on top.
  const shade = (level: number): string => {
    const [r, g, b] = ACTIVE.map((c) => Math.round(255 - ((255 - c) * Math.max(level, 1)) / (LEVELS - 1)));
    return `rgb(${r},${g},${b})`;
  };
  gates.forEach((gate, g) => {
    const top = MARGIN.top + SPECTROGRAM_HEIGHT + GAP + g * (GATE_HEIGHT + GAP);
    const channels = gate.masks[0]?.length ?? 0;
    const counts = Array.from({ length: channels }, (_, c) => gate.masks.reduce((n, mask) => n + (mask[c] ? 1 : 0), 0));
    const order = counts.map((_, c) => c).sort((a, b) => counts[b] - counts[a]);
    const rows = Math.min(channels, GATE_HEIGHT);
    const rowHeight = GATE_HEIGHT / Math.max(1, rows);
    for (let row = 0; row < rows; row++) {
      const group = order.slice(Math.floor((row * channels) / rows), Math.floor(((row + 1) * channels) / rows));
      const levels = Int8Array.from(gate.masks, (mask) => {
        const ran = group.reduce((n, c) => n + (mask[c] ? 1 : 0), 0);
        return ran === 0 ? -1 : Math.round((ran / group.length) * (LEVELS - 1));
      });
      parts.push(...rowRuns(levels, (i) => px(i / framesPerSecond), top + row * rowHeight, rowHeight, shade));
    }
    const share = counts.reduce((a, b) => a + b, 0) / Math.max(1, channels * gate.masks.length);
    parts.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${GATE_HEIGHT}" fill="none" stroke="#555"/>`,
      `<text x="${MARGIN.left - 8}" y="${top + GATE_HEIGHT / 2 - 2}" text-anchor="end">${escapeXml(gate.name)}</text>`,
      `<text x="${MARGIN.left - 8}" y="${top + GATE_HEIGHT / 2 + 13}" text-anchor="end" fill="#666">${channels} channels</text>`,
      `<text x="${WIDTH - MARGIN.right + 8}" y="${top + GATE_HEIGHT / 2 + 4}">${(100 * share).toFixed(1)} % ran</text>`);
  });

  for (const t of niceTicks(0, seconds, 10)) {
    parts.push(`<line x1="${px(t).toFixed(1)}" y1="${bottom}" x2="${px(t).toFixed(1)}" y2="${bottom + 5}" stroke="#555"/>`,
      `<text x="${px(t).toFixed(1)}" y="${bottom + 19}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 40}" text-anchor="middle">time (s); dark: the channels ran in that frame (sorted by activity, most active on top)</text>`,
    '</svg>');
  return `${parts.join('\n')}\n`;
}
