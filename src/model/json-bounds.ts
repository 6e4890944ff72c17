/**
 * One pass over the header's bytes before `JSON.parse`: rejects nesting deeper than
 * `LIMITS.jsonDepth` and strings longer than `LIMITS.stringBytes`, so a hostile header cannot make
 * the parser, the validator or `tinyhush info` recurse deeply or chew on megabytes of one string.
 * It tracks only strings and brackets; JSON.parse still judges the syntax.
 */
import { ModelFormatError } from '../errors.js';
import { LIMITS } from './limits.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** Throws `ModelFormatError` if `bytes` (UTF-8 JSON) nests or has strings beyond the limits. */
export function checkJsonBounds(bytes: Uint8Array): void {
  let depth = 0;
  let stringStart = -1; // index of the opening quote while inside a string
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (stringStart >= 0) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) stringStart = -1;
      if (i - stringStart > LIMITS.stringBytes && stringStart >= 0) {
        throw new ModelFormatError(`model header: a string at byte ${stringStart} is longer than ${LIMITS.stringBytes} bytes`);
      }
    } else if (b === QUOTE) {
      stringStart = i;
    } else if (OPENERS.has(b)) {
      if (++depth > LIMITS.jsonDepth) {
        throw new ModelFormatError(`model header: JSON nested deeper than ${LIMITS.jsonDepth} levels (at byte ${i})`);
      }
    } else if (CLOSERS.has(b)) {
      depth--;
    }
  }
}
