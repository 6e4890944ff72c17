/**
 * The picture of a two-objective search as an SVG: quality against model size, every evaluated
 * point faint, the Pareto front as a line with markers, labelled reference points (the
 * homogeneous configurations) and the knee.
 */
import { escapeXml } from './svg-text.js';
import { niceTicks, paddedRange } from './ticks.js';

/** A point in data units. */
export interface PlotPoint {
  x: number;
  y: number;
}

/** What `paretoSvg` draws. */
export interface ParetoPlot {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Every evaluated point (drawn faint). */
  evaluated: readonly PlotPoint[];
  /** The front (drawn as a line in x order, with markers). */
  front: readonly PlotPoint[];
  /** Labelled reference points, e.g. `w8`. */
  references: readonly (PlotPoint & { label: string })[];
  /** The chosen point, ringed and labelled "knee". */
  knee?: PlotPoint;
}

const WIDTH = 760;
const HEIGHT = 520;
const MARGIN = { left: 78, right: 24, top: 44, bottom: 78 };
const COLORS = { evaluated: '#9aa5b1', front: '#1f6fb2', reference: '#d9730d', knee: '#c62828', grid: '#e3e7eb' };

/** Up to 4 significant digits, no trailing zeros. */
function label(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** The SVG document (UTF-8 text) of `plot`. */
export function paretoSvg(plot: ParetoPlot): string {
  const all = [...plot.evaluated, ...plot.front, ...plot.references];
  const [x0, x1] = paddedRange(all.map((p) => p.x));
  const [y0, y1] = paddedRange(all.map((p) => p.y));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number): number => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight;
  const at = (p: PlotPoint): string => `cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}"`;
  const bottom = MARGIN.top + plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" `
      + 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(plot.title)}</text>`,
  ];
  for (const x of niceTicks(x0, x1)) {
    parts.push(`<line x1="${px(x).toFixed(1)}" y1="${MARGIN.top}" x2="${px(x).toFixed(1)}" y2="${bottom}" stroke="${COLORS.grid}"/>`,
      `<text x="${px(x).toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  for (const y of niceTicks(y0, y1)) {
    parts.push(`<line x1="${MARGIN.left}" y1="${py(y).toFixed(1)}" x2="${WIDTH - MARGIN.right}" y2="${py(y).toFixed(1)}" stroke="${COLORS.grid}"/>`,
      `<text x="${MARGIN.left - 8}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${label(y)}</text>`);
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#555"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 40}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(plot.yLabel)}</text>`,
  );
  for (const p of plot.evaluated) parts.push(`<circle ${at(p)} r="3" fill="${COLORS.evaluated}" fill-opacity="0.35"/>`);
  const front = [...plot.front].sort((a, b) => a.x - b.x);
  if (front.length > 0) {
    const line = front.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="${COLORS.front}" stroke-width="2"/>`);
    for (const p of front) parts.push(`<circle ${at(p)} r="4" fill="${COLORS.front}"/>`);
  }
  for (const p of plot.references) {
    parts.push(`<rect x="${(px(p.x) - 4).toFixed(1)}" y="${(py(p.y) - 4).toFixed(1)}" width="8" height="8" fill="${COLORS.reference}"/>`,
      `<text x="${(px(p.x) + 7).toFixed(1)}" y="${(py(p.y) + 15).toFixed(1)}" fill="${COLORS.reference}">${escapeXml(p.label)}</text>`);
  }
  if (plot.knee) {
    parts.push(`<circle ${at(plot.knee)} r="9" fill="none" stroke="${COLORS.knee}" stroke-width="2"/>`,
      `<text x="${(px(plot.knee.x) - 12).toFixed(1)}" y="${(py(plot.knee.y) - 12).toFixed(1)}" text-anchor="end" `
        + `fill="${COLORS.knee}">knee</text>`);
  }
  parts.push(legend(HEIGHT - 12), '</svg>');
  return `${parts.join('\n')}\n`;
}

/** The key: one row under the plot, each entry as wide as its text (about 6.8 px a character at 12 px). */
function legend(y: number): string {
  const entries: [(x: number) => string, string][] = [
    [(x) => `<circle cx="${x + 8}" cy="${y - 4}" r="3" fill="${COLORS.evaluated}" fill-opacity="0.6"/>`, 'evaluated configurations'],
    [(x) => `<line x1="${x}" y1="${y - 4}" x2="${x + 16}" y2="${y - 4}" stroke="${COLORS.front}" stroke-width="2"/>`
      + `<circle cx="${x + 8}" cy="${y - 4}" r="4" fill="${COLORS.front}"/>`, 'Pareto front'],
    [(x) => `<rect x="${x + 4}" y="${y - 8}" width="8" height="8" fill="${COLORS.reference}"/>`, 'homogeneous (wN: N-bit weights)'],
    [(x) => `<circle cx="${x + 8}" cy="${y - 4}" r="6" fill="none" stroke="${COLORS.knee}" stroke-width="2"/>`, 'knee'],
  ];
  const parts: string[] = [];
  let x = MARGIN.left;
  for (const [mark, text] of entries) {
    parts.push(`${mark(x)}<text x="${x + 22}" y="${y}">${text}</text>`);
    x += 22 + text.length * 6.8 + 24;
  }
  return parts.join('\n');
}
