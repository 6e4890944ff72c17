/**
 * The picture of a two-objective search as an SVG: quality against model size, every evaluated
 * point faint, the Pareto front as a line with markers, labelled reference points (the
 * homogeneous configurations) and the knee; optionally named series (e.g. one per pruning kind).
 * The key under the plot lists what is drawn.
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
  /** Named series, each a line in x order with markers (hollow markers and a dashed line when `hollow`) and labelled points. */
  series?: readonly PlotSeries[];
  /** The key's text for the reference points (default: 'homogeneous (wN: N-bit weights)'). */
  referenceLabel?: string;
}

/** One named series of `ParetoPlot.series`. */
export interface PlotSeries {
  label: string;
  /** An SVG colour. */
  color: string;
  hollow?: boolean;
  points: readonly (PlotPoint & { label?: string })[];
}

const WIDTH = 760;
const HEIGHT = 520;
/** Height of one row of the key. */
const LEGEND_ROW = 18;
const MARGIN = { left: 78, right: 24, top: 44, bottom: 78 };
const COLORS = { evaluated: '#9aa5b1', front: '#1f6fb2', reference: '#d9730d', knee: '#c62828', grid: '#e3e7eb' };

/** Up to 4 significant digits, no trailing zeros. */
function label(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** The SVG document (UTF-8 text) of `plot`. */
export function paretoSvg(plot: ParetoPlot): string {
  const series = plot.series ?? [];
  const all = [...plot.evaluated, ...plot.front, ...plot.references, ...series.flatMap((s) => s.points)];
  const legendRows = legend(plot);
  const height = HEIGHT + LEGEND_ROW * (legendRows.length - 1);
  const [x0, x1] = paddedRange(all.map((p) => p.x));
  const [y0, y1] = paddedRange(all.map((p) => p.y));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number): number => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight;
  const at = (p: PlotPoint): string => `cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}"`;
  const bottom = MARGIN.top + plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" `
      + 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
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
  for (const s of series) {
    const points = [...s.points].sort((a, b) => a.x - b.x);
    const line = points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="2"${s.hollow ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of points) {
      parts.push(`<circle ${at(p)} r="4" ${seriesMarkerStyle(s)}/>`);
      if (p.label) parts.push(`<text x="${(px(p.x) + 6).toFixed(1)}" y="${(py(p.y) - 6).toFixed(1)}" font-size="10" fill="${s.color}">${escapeXml(p.label)}</text>`);
    }
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
  legendRows.forEach((row, i) => parts.push(row(HEIGHT - 12 + LEGEND_ROW * i)));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A series' marker: filled, or hollow (white inside). */
function seriesMarkerStyle(s: PlotSeries): string {
  return s.hollow ? `fill="white" stroke="${s.color}" stroke-width="2"` : `fill="${s.color}"`;
}

/**
 * The key under the plot, an entry for each thing drawn, in rows that fit the width (about 6.8 px a
 * character at 12 px); each row a function of its baseline.
 */
function legend(plot: ParetoPlot): ((y: number) => string)[] {
  const entries: [(x: number, y: number) => string, string][] = [];
  if (plot.evaluated.length > 0) {
    entries.push([(x, y) => `<circle cx="${x + 8}" cy="${y - 4}" r="3" fill="${COLORS.evaluated}" fill-opacity="0.6"/>`, 'evaluated configurations']);
  }
  if (plot.front.length > 0) {
    entries.push([(x, y) => `<line x1="${x}" y1="${y - 4}" x2="${x + 16}" y2="${y - 4}" stroke="${COLORS.front}" stroke-width="2"/>`
      + `<circle cx="${x + 8}" cy="${y - 4}" r="4" fill="${COLORS.front}"/>`, 'Pareto front']);
  }
  for (const s of plot.series ?? []) {
    entries.push([(x, y) => `<line x1="${x}" y1="${y - 4}" x2="${x + 16}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"`
      + `${s.hollow ? ' stroke-dasharray="4 3"' : ''}/><circle cx="${x + 8}" cy="${y - 4}" r="4" ${seriesMarkerStyle(s)}/>`, s.label]);
  }
  if (plot.references.length > 0) {
    entries.push([(x, y) => `<rect x="${x + 4}" y="${y - 8}" width="8" height="8" fill="${COLORS.reference}"/>`,
      plot.referenceLabel ?? 'homogeneous (wN: N-bit weights)']);
  }
  if (plot.knee) {
    entries.push([(x, y) => `<circle cx="${x + 8}" cy="${y - 4}" r="6" fill="none" stroke="${COLORS.knee}" stroke-width="2"/>`, 'knee']);
  }
  const rows: [number, (x: number, y: number) => string, string][][] = [[]];
  let x = MARGIN.left;
  for (const [mark, text] of entries) {
    const width = 22 + text.length * 6.8 + 24;
    if (x + width - 24 > WIDTH - MARGIN.right && rows[rows.length - 1].length > 0) {
      rows.push([]);
      x = MARGIN.left;
    }
    rows[rows.length - 1].push([x, mark, text]);
    x += width;
  }
  return rows.map((row) => (y: number) => row.map(([at, mark, text]) => `${mark(at, y)}<text x="${at + 22}" y="${y}">${escapeXml(text)}</text>`).join('\n'));
}
