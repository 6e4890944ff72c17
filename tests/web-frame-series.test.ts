/** The worklet's per-frame telemetry rows (src/web/frame-series.ts): largest over channels, NaN for nothing, frames kept in step. */
import { FrameSeries } from '../src/web/frame-series.js';

test('each value is the largest any channel reported; a frame with nothing to record still takes its row', () => {
  const series = new FrameSeries(2, 4, Number.NaN);
  series.set(0, 0, 0.5);
  series.set(0, 0, 0.25); // a second channel, lower
  series.set(0, 1, 0.75);
  series.set(1, 0, Number.NaN); // the frame skipped the gate
  expect(Array.from(series.take())).toEqual([0.5, 0.75, Number.NaN, Number.NaN]);
  // The next take starts at frame 2; frames beyond the capacity are dropped, not wrapped.
  series.set(2, 1, 1);
  series.set(6, 0, 1);
  expect(Array.from(series.take())).toEqual([Number.NaN, 1]);
  series.reset();
  series.set(0, 0, 0.125);
  expect(Array.from(series.take())).toEqual([0.125, Number.NaN]);
});

test('with 0 as the empty value (probabilities) a first report replaces it only when larger', () => {
  const series = new FrameSeries(1, 2, 0);
  series.set(0, 0, 0.5);
  series.set(1, 0, 0);
  expect(Array.from(series.take())).toEqual([0.5, 0]);
  expect(series.take()).toHaveLength(0);
});
