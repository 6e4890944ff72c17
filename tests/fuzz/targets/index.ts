/** Every fuzz target, by name: `npm run fuzz` and the bounded run in `npm test` go through all of them. */
import type { FuzzTarget } from '../target.js';
import { modelTarget } from './model.js';
import { wavTarget } from './wav.js';

export const TARGETS: readonly FuzzTarget[] = [wavTarget, modelTarget];
