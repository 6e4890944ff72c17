// Runs the integer kernels of one WASM build (argv[2]: path to the .wasm) on the golden vectors of
// training/quant/make_int_golden.py and prints, as JSON, per case the number of outputs that differ
// from the Python reference. A child process of tests/int-kernels.test.ts (the relaxed build needs
// a V8 flag); also runnable by hand: node tests/int-golden-run.cjs build/core.wasm
const { golden, instantiate, mismatches } = require('./wasm-golden.cjs');

const { k, put, read } = instantiate(process.argv[2]);
const ACT = { none: 0, relu: 1, sigmoid: 2, tanh: 3 };
// Records end with lanePow, laneRuns = 0: row by row (tests/requant-lanes.test.ts covers the lane form).

const results = {};
for (const c of golden('int-dense.json')) {
  const params = put(Int32Array, [put(Int32Array, c.multiplier), put(Int32Array, c.shift), ACT[c.act], c.outBits,
    c.preBits, c.tableBits, put(Int32Array, c.table), k.alloc(c.rows * 4, 64), 0, 0]);
  const out = k.alloc(c.rows * 2, 64);
  k.intDense(out, put(Int8Array, c.W), put(Int16Array, c.x), put(Int32Array, c.bias), c.rows, c.cols, params);
  results[`dense ${c.name}`] = mismatches(read(Int16Array, out, c.rows), c.y);
}
/** An IntGruParams record (assembly/int-params.ts) for a golden GRU case. */
const gruParams = (c) => put(Int32Array, [put(Int32Array, c.multiplier), put(Int32Array, c.shift),
  ...c.tables.map((t) => put(Int32Array, t)), ...c.preBits, ...c.tableBits, ...c.bits, k.alloc(6 * c.hidden * 4, 64), 0, 0]);

for (const c of golden('int-gru.json')) {
  const h = c.hidden;
  const params = gruParams(c);
  const [Wih, Whh] = [put(Int8Array, c.Wih), put(Int8Array, c.Whh)];
  const [bih, bhh] = [put(Int32Array, c.biasIh), put(Int32Array, c.biasHh)];
  const state = k.alloc(h * 2, 64);
  const x = k.alloc(c.inSize * 2, 64);
  let wrong = 0;
  c.xs.forEach((xt, t) => {
    new Int16Array(k.memory.buffer, x, c.inSize).set(xt);
    k.intGruStep(state, x, Wih, Whh, bih, bhh, c.inSize, h, params);
    wrong += mismatches(read(Int16Array, state, h), c.hs[t]);
  });
  results[`gru ${c.name}`] = wrong;
}
{
  const c = golden('int-requant.json');
  const n = c.acc.length;
  const params = put(Int32Array, [put(Int32Array, c.multiplier), put(Int32Array, c.shift), ACT.none, 16, 0, 0, 0, 0, 0, 0]);
  // Wide outputs saturate at 16 bits in requantize: compare the saturated reference.
  const out = k.alloc(n * 2, 64);
  k.requantize(out, put(Int32Array, c.acc), n, params);
  const want = c.out.map((v) => Math.max(-32767, Math.min(32767, v)));
  results.requant = mismatches(read(Int16Array, out, n), want);
}
for (const c of golden('int-input.json')) {
  const n = c.x.length;
  const out = k.alloc(n * 2, 64);
  k.quantizeInput(out, put(Float32Array, c.x), n, c.invScale, c.bits);
  results[`input ${c.bits} bits`] = mismatches(read(Int16Array, out, n), c.codes);
  const gains = k.alloc(n * 4, 64);
  k.dequantizeMask(gains, out, n, c.bits);
  results[`mask ${c.bits} bits`] = mismatches(read(Float32Array, gains, n), c.codes.map((q) => q * 2 ** (1 - c.bits)));
}
{
  // Telemetry: one GRU step counts 3h(in + h) MACs and its i8 weights plus i32 biases.
  const c = golden('int-gru.json')[0];
  const h = c.hidden;
  const params = gruParams(c);
  k.resetCounters();
  k.intGruStep(k.alloc(h * 2, 64), put(Int16Array, c.xs[0]), put(Int8Array, c.Wih), put(Int8Array, c.Whh),
    put(Int32Array, c.biasIh), put(Int32Array, c.biasHh), c.inSize, h, params);
  results.telemetry = { macs: k.macCount(), bytes: k.weightBytesRead(), inSize: c.inSize, hidden: h };
}
console.log(JSON.stringify(results));
