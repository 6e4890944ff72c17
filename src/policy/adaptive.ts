/**
 * The adaptive policy: spends compute where the audio is hard and saves it where it is easy.
 * Every frame first runs the cheap exit; its mask splits the frame's power into kept (speech) and
 * removed (noise) parts (`difficulty.ts`), smoothed over a few frames. The frame is hard when it is
 * not silent and the noise fraction d = noise / (speech + noise) lies between `minNoiseFraction`
 * (below: clean speech, the cheap exit suffices) and `maxNoiseFraction` (above: no speech left to
 * protect). A hard frame continues to the deep exit in the same frame, and the next `holdFrames`
 * frames go straight to the deep exit (hysteresis: the deep GRU does not flip every frame; those
 * frames read the signal off the deep mask instead).
 */
import { FULL_SCALE_POWER, splitByMask, type MaskSplit } from './difficulty.js';
import { exitDecisions, type Policy, type PolicyContext } from './types.js';

/** Settings of {@link adaptivePolicy} (all given: defaults are filled in by `resolvePolicySpec`). */
export interface AdaptiveSettings {
  /** Exit of easy frames (and the first stage of every frame not held deep). */
  easyExit: number;
  /** Exit of hard frames. */
  hardExit: number;
  /** Noise fraction at and above which a non-silent frame is hard. */
  minNoiseFraction: number;
  /** Noise fraction above which a frame counts as noise only (easy). */
  maxNoiseFraction: number;
  /** Frames whose smoothed power lies below this level (dB re a full-scale RMS) are easy. */
  silenceDb: number;
  /** Frames kept on the hard exit after the last hard frame. */
  holdFrames: number;
  /** Time constant, in frames, of the smoothing of speech and noise power. */
  smoothingFrames: number;
}

/** An adaptive policy for `context`'s model and stream; one difficulty tracker per channel. */
export function adaptivePolicy(settings: AdaptiveSettings, context: PolicyContext): Policy {
  const { easyExit, hardExit, minNoiseFraction, maxNoiseFraction, holdFrames } = settings;
  const decisions = exitDecisions(context.exits.length);
  const channels = context.channels;
  const keep = 1 - 1 / settings.smoothingFrames;
  const silencePower = FULL_SCALE_POWER * 10 ** (settings.silenceDb / 10);
  const speech = new Float64Array(channels);
  const noise = new Float64Array(channels);
  /** First frame that is no longer held on the hard exit. */
  const hardUntil = new Float64Array(channels);
  const split: MaskSplit = { speech: 0, noise: 0 };
  return {
    kind: 'adaptive',
    decide({ channel, frame }) {
      if (frame === 0) {
        speech[channel] = 0;
        noise[channel] = 0;
        hardUntil[channel] = 0;
      }
      return decisions[frame < hardUntil[channel] ? hardExit : easyExit];
    },
    refine(info) {
      const c = info.channel;
      splitByMask(info, split);
      speech[c] = keep * speech[c] + (1 - keep) * split.speech;
      noise[c] = keep * noise[c] + (1 - keep) * split.noise;
      const total = speech[c] + noise[c];
      const fraction = total > 0 ? noise[c] / total : 0;
      const hard = total > silencePower && fraction >= minNoiseFraction && fraction <= maxNoiseFraction;
      if (!hard) return decisions[info.exit];
      hardUntil[c] = info.frame + 1 + holdFrames;
      return decisions[Math.max(info.exit, hardExit)];
    },
  };
}
