/**
 * The budget policy: holds a target average of MACs per second with a token bucket. Every frame
 * earns the target's share of credit and pays for the exit it runs. Only the two exits whose costs
 * bracket the target are used (the deepest one at or below it, the next deeper one above it): once an
 * exit has been kept for `minDwellFrames` (so a skipped GRU does not churn), the deeper one runs
 * while there is credit, the cheaper one while there is debt. The credit stays within ±dwell × the
 * cost step, so the average error shrinks as dwell × cost step / frames run.
 */
import type { ExitInfo } from '../engine/types.js';
import { exitDecisions, type Policy, type PolicyContext } from './types.js';

/** Settings of {@link budgetPolicy}; `macsPerSecond` is for the whole stream (all channels). */
export interface BudgetSettings {
  macsPerSecond: number;
  minDwellFrames: number;
}

/** `macsPerSecond` clamped to what the model can spend: from every frame on the cheapest exit to every frame on the full one. */
export function achievableMacsPerSecond(macsPerSecond: number, context: PolicyContext): number {
  const perSecond = context.framesPerSecond * context.channels;
  const exits = context.exits;
  return Math.min(Math.max(macsPerSecond, exits[0].macsPerFrame * perSecond), exits[exits.length - 1].macsPerFrame * perSecond);
}

/** The exits bracketing `perFrame` (exits are cheapest first): the deepest costing at most it, and the next deeper one. */
function bracket(exits: readonly ExitInfo[], perFrame: number): { below: number; above: number } {
  let below = 0;
  while (below < exits.length - 1 && exits[below + 1].macsPerFrame <= perFrame) below++;
  let above = below; // stays `below` when the target is exactly an exit's cost or outside the range
  while (above < exits.length - 1 && exits[above].macsPerFrame < perFrame) above++;
  return { below, above };
}

/** A budget policy for `context`'s model and stream; one bucket per channel. */
export function budgetPolicy(settings: BudgetSettings, context: PolicyContext): Policy {
  const { exits, channels, framesPerSecond } = context;
  const decisions = exitDecisions(exits.length);
  const earnedPerFrame = settings.macsPerSecond / (framesPerSecond * channels);
  const dwell = settings.minDwellFrames;
  const { below, above } = bracket(exits, earnedPerFrame);
  const credit = new Float64Array(channels);
  const current = new Int32Array(channels).fill(below);
  const framesOnCurrent = new Int32Array(channels).fill(dwell);
  return {
    kind: 'budget',
    decide({ channel, frame }) {
      if (frame === 0) {
        credit[channel] = 0;
        framesOnCurrent[channel] = dwell;
      }
      credit[channel] += earnedPerFrame;
      if (framesOnCurrent[channel] >= dwell) {
        const next = credit[channel] > 0 ? above : below;
        if (next !== current[channel]) {
          current[channel] = next;
          framesOnCurrent[channel] = 0;
        }
      }
      framesOnCurrent[channel]++;
      const exit = current[channel];
      credit[channel] -= exits[exit].macsPerFrame;
      return decisions[exit];
    },
  };
}
