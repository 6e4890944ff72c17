/**
 * Policy specs: the plain data a caller passes (`createDenoiser({ policy })`, `setPolicy`), checked
 * and completed with defaults, then turned into a running policy for one stream.
 */
import { InvalidOptionError } from '../errors.js';
import { adaptivePolicy, type AdaptiveSettings } from './adaptive.js';
import { achievableMacsPerSecond, budgetPolicy } from './budget.js';
import { fixedExitPolicy } from './fixed-exit.js';
import type { Policy, PolicyContext } from './types.js';

/** Every frame through one exit (0 = cheapest). */
export interface FixedPolicySpec {
  kind: 'fixed';
  exit: number;
}

/** Hold an average of `macsPerSecond` model MACs per second of audio (all channels together). */
export interface BudgetPolicySpec {
  kind: 'budget';
  /**
   * Target MACs per second. Targets outside the model's range (every frame on the cheapest exit …
   * every frame on the full one) are clamped to it; the resolved spec shows the clamped value.
   */
  macsPerSecond: number;
  /** Frames an exit is kept before the policy may change it (default 10). */
  minDwellFrames?: number;
}

/** Deep exit where the cheap exit's mask says the frame is noisy speech, cheap exit elsewhere. */
export type AdaptivePolicySpec = { kind: 'adaptive' } & Partial<AdaptiveSettings>;

/** A runtime exit policy, as plain data. */
export type PolicySpec = FixedPolicySpec | BudgetPolicySpec | AdaptivePolicySpec;

/** A spec with every default filled in and the budget clamped: what the stream actually runs. */
export type ResolvedPolicySpec = FixedPolicySpec | Required<BudgetPolicySpec> | ({ kind: 'adaptive' } & AdaptiveSettings);

export const DEFAULT_MIN_DWELL_FRAMES = 10;

/** Adaptive defaults, tuned for nsnet-ee v2 on validation streams (training/README.md, "Exit policies"). */
export const ADAPTIVE_DEFAULTS: Omit<AdaptiveSettings, 'easyExit' | 'hardExit'> = {
  minNoiseFraction: 0.2,
  maxNoiseFraction: 0.99,
  silenceDb: -45,
  holdFrames: 5,
  smoothingFrames: 10,
};

const KINDS = "'fixed', 'budget' or 'adaptive'";
const KEYS = {
  fixed: ['kind', 'exit'],
  budget: ['kind', 'macsPerSecond', 'minDwellFrames'],
  adaptive: ['kind', 'easyExit', 'hardExit', ...Object.keys(ADAPTIVE_DEFAULTS)],
};

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function exitIndex(value: unknown, name: string, exits: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= exits) {
    throw new InvalidOptionError(`policy ${name} must be an integer from 0 to ${exits - 1} (this model has ${exits} exits), got ${shown(value)}`);
  }
  return value;
}

function number(value: unknown, name: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidOptionError(`policy ${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${shown(value)}`);
  }
  return value;
}

/**
 * Checks `spec` against the model and stream in `context` and fills in the defaults.
 * @throws InvalidOptionError naming the bad field and what is allowed.
 */
export function resolvePolicySpec(spec: unknown, context: PolicyContext): ResolvedPolicySpec {
  if (typeof spec !== 'object' || spec === null || !('kind' in spec) || typeof spec.kind !== 'string' || !Object.hasOwn(KEYS, spec.kind)) {
    const kind = typeof spec === 'object' && spec !== null && 'kind' in spec ? shown(spec.kind) : 'none';
    throw new InvalidOptionError(`policy must be an object { kind: ${KINDS}, … }, got kind ${kind}`);
  }
  const kind = spec.kind as keyof typeof KEYS;
  const unknown = Object.keys(spec).filter((key) => !KEYS[kind].includes(key));
  if (unknown.length > 0) {
    throw new InvalidOptionError(`unknown ${kind} policy field(s) ${unknown.join(', ')}; supported: ${KEYS[kind].join(', ')}`);
  }
  const exits = context.exits.length;
  const last = exits - 1;
  if (kind === 'fixed') return { kind, exit: exitIndex((spec as FixedPolicySpec).exit, 'exit', exits) };
  if (kind === 'budget') {
    const { macsPerSecond, minDwellFrames = DEFAULT_MIN_DWELL_FRAMES } = spec as BudgetPolicySpec;
    const target = number(macsPerSecond, 'macsPerSecond', 0, Number.MAX_VALUE);
    return {
      kind, macsPerSecond: achievableMacsPerSecond(target, context),
      minDwellFrames: number(minDwellFrames, 'minDwellFrames', 1, 10_000, true),
    };
  }
  const s = { ...ADAPTIVE_DEFAULTS, easyExit: 0, hardExit: last, ...(spec as AdaptivePolicySpec) };
  const easyExit = exitIndex(s.easyExit, 'easyExit', exits);
  const hardExit = exitIndex(s.hardExit, 'hardExit', exits);
  if (hardExit < easyExit) {
    throw new InvalidOptionError(`policy hardExit (${hardExit}) must not be cheaper than easyExit (${easyExit})`);
  }
  const minNoiseFraction = number(s.minNoiseFraction, 'minNoiseFraction', 0, 1);
  return {
    kind, easyExit, hardExit, minNoiseFraction,
    maxNoiseFraction: number(s.maxNoiseFraction, 'maxNoiseFraction', minNoiseFraction, 1),
    silenceDb: number(s.silenceDb, 'silenceDb', -200, 0),
    holdFrames: number(s.holdFrames, 'holdFrames', 0, 100_000, true),
    smoothingFrames: number(s.smoothingFrames, 'smoothingFrames', 1, 10_000),
  };
}

/** The running policy of a resolved spec. */
export function createPolicy(spec: ResolvedPolicySpec, context: PolicyContext): Policy {
  switch (spec.kind) {
    case 'fixed': return fixedExitPolicy(spec.exit);
    case 'budget': return budgetPolicy(spec, context);
    case 'adaptive': return adaptivePolicy(spec, context);
  }
}
