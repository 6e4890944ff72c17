/**
 * Strict UTF-8 encoding and decoding of the JSON header. Hand-written because the AudioWorklet
 * global scope, where a model may be parsed, has no TextEncoder / TextDecoder.
 */

/** UTF-8 bytes of `text` (lone surrogates, which `JSON.stringify` never emits, become U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(bytes);
}

/** The platform's strict decoder, where there is one (not in an AudioWorklet scope). */
const strictDecoder = typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : undefined;

/** Decodes well-formed UTF-8; returns `null` on any malformed, overlong or surrogate sequence. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  if (strictDecoder !== undefined) {
    try {
      return strictDecoder.decode(bytes);
    } catch {
      return null;
    }
  }
  return decodeUtf8Portable(bytes);
}

/** `decodeUtf8` without TextDecoder (≈ 20× slower: a 16 MiB header takes about 2 s). */
export function decodeUtf8Portable(bytes: Uint8Array): string | null {
  const codePoints: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    const extra = lead < 0x80 ? 0 : lead >= 0xc2 && lead < 0xe0 ? 1 : lead >= 0xe0 && lead < 0xf0 ? 2
      : lead >= 0xf0 && lead < 0xf5 ? 3 : -1;
    if (extra < 0 || i + extra >= bytes.length) return null;
    let cp = extra === 0 ? lead : lead & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (next & 63);
    }
    const minimum = [0, 0x80, 0x800, 0x10000][extra];
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    codePoints.push(cp);
    i += extra + 1;
  }
  let text = '';
  for (let start = 0; start < codePoints.length; start += 4096) {
    text += String.fromCodePoint(...codePoints.slice(start, start + 4096));
  }
  return text;
}
