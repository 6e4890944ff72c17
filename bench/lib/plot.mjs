/**
 * Section 3's figure: quality against cost, one point per system (tinyhush: per model and exit),
 * as a hand-written SVG with two panels (x: MACs per second; x: measured CPU seconds per second of
 * audio, both logarithmic). PNG through headless Chromium where it is installed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const PANEL = { width: 560, height: 420, left: 70, right: 20, top: 40, bottom: 60 };
const WIDTH = PANEL.width * 2;
const HEIGHT = PANEL.height + 90; // room for the legend
const COLORS = { tinyhush: '#1f77b4', peer: '#d62728' };
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Powers of ten covering [min, max], at least two of them. */
function logTicks(min, max) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

/** Rounded linear ticks for the quality axis. */
function linearTicks(min, max) {
  const step = 10 ** Math.floor(Math.log10((max - min) / 4 || 1));
  const stepSize = [1, 2, 5, 10].map((m) => m * step).find((s) => (max - min) / s <= 6);
  const ticks = [];
  const last = Math.ceil(max / stepSize) * stepSize;
  for (let t = Math.floor(min / stepSize) * stepSize; t <= last + 1e-9; t += stepSize) ticks.push(Number(t.toFixed(6)));
  return ticks;
}

function formatTick(value) {
  if (value >= 1e9) return `${value / 1e9}G`;
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

/** One panel's SVG group at horizontal offset `x0`. */
function panel(points, x0, { xKey, xLabel, yLabel, yRange, title }) {
  const xs = points.map((p) => p[xKey]);
  const xTicks = logTicks(Math.min(...xs), Math.max(...xs));
  const [xMin, xMax] = [Math.log10(xTicks[0]), Math.log10(xTicks.at(-1))];
  const yTicks = linearTicks(...yRange);
  const [yMin, yMax] = [yTicks[0], yTicks.at(-1)];
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const sx = (v) => x0 + PANEL.left + ((Math.log10(v) - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (v) => PANEL.top + plotH - ((v - yMin) / (yMax - yMin || 1)) * plotH;
  const parts = [
    `<text x="${x0 + PANEL.width / 2}" y="24" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${x0 + PANEL.left}" y="${PANEL.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  ];
  for (const t of xTicks) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${PANEL.top}" y2="${PANEL.top + plotH}" stroke="#ddd"/>`,
      `<text x="${sx(t)}" y="${PANEL.top + plotH + 18}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${x0 + PANEL.left}" x2="${x0 + PANEL.left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#ddd"/>`,
      `<text x="${x0 + PANEL.left - 8}" y="${sy(t) + 4}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${x0 + PANEL.left + plotW / 2}" y="${PANEL.top + plotH + 42}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(${x0 + 18},${PANEL.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  points.forEach((p, i) => {
    const [cx, cy] = [sx(p[xKey]), sy(p.quality)];
    // Documented (not counted) MACs are drawn hollow on the MACs panel.
    const hollow = xKey === 'macsPerSecond' && p.kind === 'peer';
    parts.push(`<circle cx="${cx}" cy="${cy}" r="5" fill="${hollow ? 'white' : COLORS[p.kind]}" stroke="${COLORS[p.kind]}" stroke-width="2"/>`,
      `<text x="${cx + 7}" y="${cy - 6}" font-size="11">${i + 1}</text>`);
  });
  return parts.join('\n');
}

/**
 * @param {{ label: string, kind: 'tinyhush' | 'peer', macsPerSecond: number, cpuSecondsPerSecond: number, quality: number }[]} points
 * @param {string} yLabel name of the quality measure
 * @returns {string} SVG document
 */
export function renderQualityPlot(points, yLabel) {
  const qualities = points.map((p) => p.quality);
  const pad = (Math.max(...qualities) - Math.min(...qualities)) * 0.1 || 0.5;
  const yRange = [Math.min(...qualities) - pad, Math.max(...qualities) + pad];
  const legend = points.map((p, i) => {
    const x = 20 + (i % 3) * (WIDTH / 3);
    const y = PANEL.height + 10 + Math.floor(i / 3) * 16;
    return `<text x="${x}" y="${y}" font-size="11" fill="${COLORS[p.kind]}">${i + 1}. ${escape(p.label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(points, 0, { xKey: 'macsPerSecond', xLabel: 'MACs per second (peers hollow: documented, not counted)', yLabel, yRange, title: `${yLabel} vs MACs/s` }),
    panel(points, PANEL.width, { xKey: 'cpuSecondsPerSecond', xLabel: 'CPU seconds per second of audio (measured, 1 thread)', yLabel, yRange, title: `${yLabel} vs CPU time` }),
    ...legend,
    '</svg>',
  ].join('\n');
}

/** Size of the SVG `renderQualityPlot` makes, for the screenshot. */
export const PLOT_SIZE = { width: WIDTH, height: HEIGHT };

/**
 * Renders `svgPath` to `pngPath` with headless Chromium.
 * @returns {Promise<string | null>} null on success, else why no PNG was written
 */
export async function svgToPng(svgPath, pngPath) {
  const chromium = CHROMIUM_CANDIDATES.find((path) => existsSync(path));
  if (!chromium) return `no Chromium found (${CHROMIUM_CANDIDATES.join(', ')}); apt-get install chromium for the PNG`;
  await promisify(execFile)(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${pngPath}`,
    `--window-size=${WIDTH},${HEIGHT}`, pathToFileURL(svgPath).href,
  ], { timeout: 60000 });
  return existsSync(pngPath) ? null : `Chromium wrote no ${pngPath}`;
}
