/** The simplest policy: every frame runs the same exit with every channel on. */
import type { Decision } from '../engine/types.js';
import type { Policy } from './types.js';

/** A policy that always answers `{ exit }` (one decision object, no allocation per frame). */
export function fixedExitPolicy(exit: number): Policy {
  const decision: Decision = { exit };
  return { kind: 'fixed', decide: () => decision };
}
