import { paretoSvg, type ParetoPlot } from '../src/plot/pareto-plot.js';

const base: ParetoPlot = {
  title: 't', xLabel: 'x', yLabel: 'y', evaluated: [], front: [], references: [{ x: 1350, y: 10, label: 'int8' }],
};

describe('paretoSvg series', () => {
  it('draws each series as a line with labelled markers, hollow and dashed when asked, and keys what is drawn', () => {
    const svg = paretoSvg({
      ...base,
      referenceLabel: 'unpruned',
      series: [
        { label: 'block, offline', color: '#2e7d32', points: [{ x: 360, y: 0.1, label: '90' }, { x: 800, y: 1.3, label: '50' }] },
        { label: 'block, learned', color: '#2e7d32', hollow: true, points: [{ x: 360, y: 6, label: '90' }] },
      ],
    });
    expect(svg.match(/<polyline [^>]*stroke="#2e7d32"/g)).toHaveLength(2);
    expect(svg.match(/<polyline [^>]*stroke-dasharray/g)).toHaveLength(1);
    expect(svg.match(/<circle [^>]*fill="white" stroke="#2e7d32"/g)).toHaveLength(2); // the hollow marker and its key
    expect(svg.match(/>90</g)).toHaveLength(2);
    for (const text of ['block, offline', 'block, learned', 'unpruned']) expect(svg).toContain(`>${text}</text>`);
    // nothing evaluated, no front, no knee: not in the key
    for (const text of ['evaluated configurations', 'Pareto front', 'knee']) expect(svg).not.toContain(text);
  });

  it('wraps a long key into rows and makes the picture taller', () => {
    const series = ['weight', 'block', 'unit'].flatMap((kind) => ['offline', 'learned'].map((method) => ({
      label: `${kind}, ${method}`, color: '#123456', hollow: method === 'learned', points: [{ x: 300, y: 1 }],
    })));
    const one = paretoSvg({ ...base, series: series.slice(0, 1) });
    const six = paretoSvg({ ...base, series });
    const height = (svg: string): number => Number(/<svg [^>]*height="(\d+)"/.exec(svg)![1]);
    expect(height(six)).toBeGreaterThan(height(one));
    const baselines = new Set([...six.matchAll(/<text x="[\d.]+" y="(\d+)">(?:weight|block|unit|homogeneous)/g)].map((m) => m[1]));
    expect(baselines.size).toBeGreaterThan(1);
  });
});
