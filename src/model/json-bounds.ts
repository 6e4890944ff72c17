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
const OPEN_ARRAY = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE_ARRAY = 0x5d; // ]
const CLOSE_OBJECT = 0x7d; // }

/** Index of the quote that closes the string opened at `open`, or −1 if there is none. */
function closingQuote(bytes: Uint8Array, open: number): number {
  let quote = bytes.indexOf(QUOTE, open + 1);
  while (quote >= 0) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = bytes.indexOf(QUOTE, quote + 1);
  }
  return -1;
}

/** Throws `ModelFormatError` if `bytes` (UTF-8 JSON) nests or has strings beyond the limits. */
export function checkJsonBounds(bytes: Uint8Array): void {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      const close = closingQuote(bytes, i);
      const end = close < 0 ? bytes.length : close;
      if (end - i - 1 > LIMITS.stringBytes) {
        throw new ModelFormatError(`model header: a string at byte ${i} is longer than ${LIMITS.stringBytes} bytes`);
      }
      if (close < 0) return; // unterminated: JSON.parse reports it
      i = close;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > LIMITS.jsonDepth) {
        throw new ModelFormatError(`model header: JSON nested deeper than ${LIMITS.jsonDepth} levels (at byte ${i})`);
      }
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
}
