/**
 * Latency bookkeeping of the signal path (docs/internals.md, "Signal path").
 *
 * The pipeline emits audio in bursts: a hop at 16 kHz completes only every 160 samples, and the
 * resamplers emit on their own phase. The output FIFO is primed with the largest shortfall of
 * emitted versus consumed samples, so `process()` can always return as many samples as it took;
 * the total delay is that priming plus the signal delays (resampler in, STFT, resampler out).
 */

/** Samples a streaming resampler has emitted after `consumed` inputs at ratio `outRate/inRate`. */
function resampledCount(consumed: number, inRate: number, outRate: number): number {
  // assembly/resampler.ts emits output j once input 1 + floor(j·in/out) has arrived.
  return Math.ceil((consumed * outRate) / inRate);
}

/** Delays of one stream, in samples at the stream rate. */
export interface StreamLatency {
  /** Zeros the output FIFO starts with: the most the pipeline ever lags behind its input. */
  priming: number;
  /** Exact delay of the output behind the input (fractional when a resampler delay is). */
  exact: number;
  /** `exact` rounded: output sample n is the enhanced input sample n − samples. */
  samples: number;
}

/**
 * The latency of a stream at `rate` around a model running at `modelRate` with hop `hop` and
 * STFT delay `stftDelay` (model-rate samples), with resampler delays `delayIn` (stream-rate
 * samples) and `delayOut` (model-rate samples).
 */
export function streamLatency(rate: number, modelRate: number, hop: number, stftDelay: number,
  delayIn: number, delayOut: number): StreamLatency {
  // After `rate` inputs (one second) every stage is back at its starting phase: that is a period.
  let priming = 0;
  for (let consumed = 1; consumed <= rate; consumed++) {
    const hops = Math.floor(resampledCount(consumed, rate, modelRate) / hop);
    const emitted = resampledCount(hops * hop, modelRate, rate);
    priming = Math.max(priming, consumed - emitted);
  }
  const exact = priming + delayIn + ((stftDelay + delayOut) * rate) / modelRate;
  return { priming, exact, samples: Math.round(exact) };
}
