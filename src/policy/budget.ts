/**
 * The budget policy: holds a target average of MACs per second with a token bucket. Every frame
 * earns the target's share of credit and pays for the exit it runs. Only the two exits whose costs
 * bracket the target are used (the deepest one at or below it, the next deeper one above it): once an
 * exit has been kept for `minDwellFrames` (so a skipped GRU does not churn), the deeper one runs
 * while there is credit, the cheaper one while there is debt. The credit stays within ±dwell × the
 * cost step, so the average error shrinks as dwell × cost step / frames run.
 *
 * A model whose gates decide (`context.minGateRatio`) has a second knob, turned first: a target the
 * full exit can meet at some gate ratio runs every frame through it at the ratio r whose expected
 * cost, `macsPerFrame − (1 − r) · gatedMacsPerFrame` (the gates were trained to run a share r of
 * their channels), is the target; below that the exits are walked as above, at the lowest ratio.
 * The ratio is set open-loop: telemetry's `macs` is what the gates actually ran.
 */
import type { Decision, ExitInfo } from '../engine/types.js';
import { exitDecisions, type Policy, type PolicyContext } from './types.js';

/** Settings of {@link budgetPolicy}; `macsPerSecond` is for the whole stream (all channels). */
export interface BudgetSettings {
  macsPerSecond: number;
  minDwellFrames: number;
}

/** Each exit's expected MACs per frame at the lowest gate ratio (its full cost without gate decisions). */
function lowestCosts(context: PolicyContext): number[] {
  const minRatio = context.minGateRatio ?? 1;
  return context.exits.map((exit: ExitInfo) => exit.macsPerFrame - (1 - minRatio) * exit.gatedMacsPerFrame);
}

/**
 * `macsPerSecond` clamped to what the model can spend: from every frame on the cheapest exit (at the
 * lowest gate ratio) to every frame on the full one with every channel on.
 */
export function achievableMacsPerSecond(macsPerSecond: number, context: PolicyContext): number {
  const perSecond = context.framesPerSecond * context.channels;
  const exits = context.exits;
  return Math.min(Math.max(macsPerSecond, lowestCosts(context)[0] * perSecond), exits[exits.length - 1].macsPerFrame * perSecond);
}

/** The exits bracketing `perFrame` (`costs` ascend): the deepest costing at most it, and the next deeper one. */
function bracket(costs: readonly number[], perFrame: number): { below: number; above: number } {
  let below = 0;
  while (below < costs.length - 1 && costs[below + 1] <= perFrame) below++;
  let above = below; // stays `below` when the target is exactly an exit's cost or outside the range
  while (above < costs.length - 1 && costs[above] < perFrame) above++;
  return { below, above };
}

/** A budget policy for `context`'s model and stream; one bucket per channel. */
export function budgetPolicy(settings: BudgetSettings, context: PolicyContext): Policy {
  const { exits, channels, framesPerSecond, minGateRatio } = context;
  const earnedPerFrame = settings.macsPerSecond / (framesPerSecond * channels);
  const costs = lowestCosts(context);
  const full = exits[exits.length - 1];
  if (minGateRatio !== undefined && earnedPerFrame >= costs[costs.length - 1]) {
    const spare = full.gatedMacsPerFrame > 0 ? (earnedPerFrame - costs[costs.length - 1]) / full.gatedMacsPerFrame : 1;
    const decision: Decision = { exit: exits.length - 1, gateRatio: Math.min(1, minGateRatio + spare) };
    return { kind: 'budget', decide: () => decision };
  }
  const decisions = exitDecisions(exits.length)
    .map((d) => (minGateRatio === undefined ? d : { ...d, gateRatio: minGateRatio }));
  const dwell = settings.minDwellFrames;
  const { below, above } = bracket(costs, earnedPerFrame);
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
      credit[channel] -= costs[exit];
      return decisions[exit];
    },
  };
}
