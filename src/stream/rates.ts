/** The stream sample rates: those the WASM resampler converts to and from the model's 16 kHz. */
import { UnsupportedRateError } from '../errors.js';

/** Sample rates `createDenoiser` accepts, in Hz. */
export const SUPPORTED_RATES: readonly number[] = [8000, 16000, 22050, 24000, 32000, 44100, 48000];

/** Throws `UnsupportedRateError` unless `rate` is one of {@link SUPPORTED_RATES}. */
export function assertSupportedRate(rate: number): void {
  if (!SUPPORTED_RATES.includes(rate)) {
    throw new UnsupportedRateError(`sample rate ${rate} Hz is not supported; supported rates: ${SUPPORTED_RATES.join(', ')} Hz`);
  }
}
