/** Seconds from a monotonic clock; AudioWorklet scopes may lack `performance`, then `Date` serves. */
export const nowSeconds: () => number = typeof globalThis.performance?.now === 'function'
  ? () => globalThis.performance.now() / 1000
  : () => Date.now() / 1000;
