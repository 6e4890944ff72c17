/**
 * Where a denoiser gets its stream (the per-stream state in WASM memory) and where it returns it.
 * WASM memory is never freed, so a host keeps disposed streams and hands them, reset, to the next
 * stream of the same rate and channel count: a server that opens and closes streams all day
 * allocates only for the most it ever held at once.
 */
import type { Policy } from '../policy/types.js';
import { createStream, type Stream } from '../stream/stream.js';
import type { LoadedModel } from './load.js';

export interface StreamSlots {
  /** A stream at its start, with zeroed telemetry, running `policy`. */
  take(sampleRate: number, channels: number, policy: Policy): Stream;
  /** Returns a stream its denoiser no longer uses. */
  give(stream: Stream): void;
}

/** Slots of a host that reuses disposed streams (free lists by rate and channel count). */
export function pooledSlots({ core, engine }: LoadedModel): StreamSlots {
  const free = new Map<string, Stream[]>();
  const key = (sampleRate: number, channels: number): string => `${sampleRate}/${channels}`;
  return {
    take(sampleRate, channels, policy) {
      const stream = free.get(key(sampleRate, channels))?.pop();
      if (stream === undefined) return createStream(core, engine, { sampleRate, channels, policy });
      stream.reset();
      stream.resetTelemetry();
      stream.policy = policy;
      return stream;
    },
    give(stream) {
      const list = free.get(key(stream.sampleRate, stream.channels)) ?? [];
      list.push(stream);
      free.set(key(stream.sampleRate, stream.channels), list);
    },
  };
}
