/** The gate activity picture (src/plot/gate-activity-plot.ts): shares, sorting by activity and merged runs. */
import { gateActivitySvg } from '../src/plot/gate-activity-plot.js';

const FULL = 'fill="rgb(27,42,73)"'; // a cell where every channel of its row ran

test('each gate gets its share; runs of frames merge into one rectangle; the most active channel is drawn on top', () => {
  const svg = gateActivitySvg({
    title: 'a < b',
    spectrogram: { frames: [Float32Array.of(1, 0.1), Float32Array.of(0.1, 1)], columnSeconds: 0.02, topHz: 8000 },
    framesPerSecond: 100,
    gates: [
      // channel 0 runs in frames 1-3 (one run), channel 1 in frames 0 and 2 (two runs), channels 2 and 3 never.
      { name: 'block0', masks: [[0, 1, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0]] },
      { name: 'block1', masks: [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]] },
    ],
  });
  expect(svg).toContain('a &#60; b');
  expect(svg).toContain('31.3 % ran'); // 5 of 16
  expect(svg).toContain('100.0 % ran');
  const full = svg.split('\n').filter((line) => line.includes(FULL));
  expect(full).toHaveLength(3 + 4); // block0: 1 + 2 runs; block1: one per channel
  const y = (line: string) => Number(/ y="([\d.]+)"/.exec(line)![1]);
  const [first, ...rest] = full.slice(0, 3);
  expect(rest.every((line) => y(line) > y(first))).toBe(true); // channel 0 (3 frames) above channel 1 (2)
});
