// Shared by the golden-vector runners (child processes that load one WASM build directly, since the
// relaxed build needs a V8 flag): the golden file, the instance, and arrays placed in and read from
// its memory.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** A golden-vector file of tests/fixtures/golden, parsed. */
const golden = (name) => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'golden', name), 'utf8'));

/** The exports of the WASM build at `path`, with `put` (an array into fresh 64-byte-aligned memory) and `read`. */
function instantiate(path) {
  const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports;
  const put = (Type, values) => {
    const ptr = k.alloc(Math.max(values.length, 1) * Type.BYTES_PER_ELEMENT, 64);
    new Type(k.memory.buffer, ptr, values.length).set(values);
    return ptr;
  };
  const read = (Type, ptr, n) => Array.from(new Type(k.memory.buffer, ptr, n));
  return { k, put, read };
}

/** How many of `got` differ from `want`. */
const mismatches = (got, want) => got.reduce((n, v, i) => n + (v !== want[i] ? 1 : 0), 0);

module.exports = { golden, instantiate, mismatches };
