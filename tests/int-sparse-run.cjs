// Runs the sparse integer kernels of one WASM build (argv[2]: path to the .wasm) on the golden vectors
// of training/quant/make_sparse_golden.py and prints, as JSON, per case the number of outputs that
// differ from the Python reference and the telemetry of one call. A child process of
// tests/int-sparse.test.ts (the relaxed build needs a V8 flag); also runnable by hand:
// node tests/int-sparse-run.cjs build/core.wasm
const { golden: readGolden, instantiate, mismatches } = require('./wasm-golden.cjs');

const golden = readGolden('int-sparse.json');
const { k, put, read } = instantiate(process.argv[2]);
/** Format tags of assembly/int-sparse.ts. */
const FORMAT = { csr: 0, block: 1 };

/** The layout's arrays in memory and a SparseMatrix record pointing at them. */
function place(m) {
  const parts = { rowPtr: put(Int32Array, m.rowPtr), index: put(Uint16Array, m.index), values: put(Int8Array, m.values) };
  return { ...parts, record: put(Int32Array, [FORMAT[m.format], parts.rowPtr, parts.index, parts.values]) };
}
const counted = (call) => {
  k.resetCounters();
  call();
  return { macs: k.macCount(), bytes: k.weightBytesRead() };
};

const results = { gemv: {}, gru: {} };
for (const c of golden.gemv) {
  const m = place(c.matrix);
  const x = put(Int16Array, c.x);
  const bias = c.bias === null ? 0 : put(Int32Array, c.bias);
  const acc = k.alloc(c.rows * 4, 64);
  const kernel = c.matrix.format === 'csr' ? k.intCsrGemv : k.intBlockGemv;
  const telemetry = counted(() => kernel(acc, m.values, m.index, m.rowPtr, x, bias, c.rows));
  const wrong = mismatches(read(Int32Array, acc, c.rows), c.acc);
  new Int32Array(k.memory.buffer, acc, c.rows).fill(0x5a5a5a5a);
  k.intSparseGemv(acc, m.record, x, bias, c.rows);
  results.gemv[c.name] = { wrong, recordWrong: mismatches(read(Int32Array, acc, c.rows), c.acc), ...telemetry };
}
for (const c of golden.gru) {
  const h = c.hidden;
  const params = put(Int32Array, [put(Int32Array, c.multiplier), put(Int32Array, c.shift),
    ...c.tables.map((t) => put(Int32Array, t)), ...c.preBits, ...c.tableBits, ...c.bits, k.alloc(6 * h * 4, 64), 0, 0, 0]);
  const [Wih, Whh] = [place(c.Wih).record, place(c.Whh).record];
  const [bih, bhh] = [put(Int32Array, c.biasIh), put(Int32Array, c.biasHh)];
  const state = k.alloc(h * 2, 64);
  const x = k.alloc(c.inSize * 2, 64);
  let wrong = 0;
  let telemetry = null;
  c.xs.forEach((xt, t) => {
    new Int16Array(k.memory.buffer, x, c.inSize).set(xt);
    const step = counted(() => k.intGruStepSparse(state, x, Wih, Whh, bih, bhh, h, params));
    telemetry ??= step;
    wrong += mismatches(read(Int16Array, state, h), c.hs[t]);
  });
  results.gru[c.name] = { wrong, ...telemetry };
}
console.log(JSON.stringify(results));
