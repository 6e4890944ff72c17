/** The model fuzz target (tests/fuzz/targets/model.ts) itself: valid seeds, fields in range, a working reseal. */
import { TinyhushError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';
import { modelTarget } from './fuzz/targets/model.js';

const seeds = modelTarget.seeds();

test('every seed is a valid model that runs through every exit', async () => {
  expect(seeds.length).toBeGreaterThanOrEqual(5);
  const dtypes = new Set(seeds.flatMap((s) => readModel(s).header.tensors.map((t) => t.dtype)));
  expect([...dtypes].sort()).toEqual(['block-sparse', 'csr', 'f32', 'i16', 'i32', 'i8', 'int2', 'int3', 'int4', 'int5', 'int6', 'int7', 'int8', 'u8']);
  // An integer model whose layers read narrow arrays.
  const narrowShift = (s: Uint8Array): boolean => {
    const { layers, tensors } = readModel(s).header;
    return layers.some((l) => l.op === 'gru-int' && tensors.find((t) => t.name === l.shift)!.dtype !== 'i32');
  };
  expect(seeds.some(narrowShift)).toBe(true);
  for (const seed of seeds) await modelTarget.run(seed);
});

test('fields lie inside the file and include sparse indices and scales', () => {
  for (const seed of seeds) {
    const fields = modelTarget.fields!(seed);
    expect(fields.slice(0, 2)).toEqual([{ offset: 8, size: 4 }, { offset: 12, size: 4 }]);
    for (const { offset, size } of fields) expect(offset + size).toBeLessThanOrEqual(seed.length - 4);
  }
  expect(modelTarget.fields!(seeds[3]).length).toBeGreaterThan(20);
});

test('reseal fixes the CRC, so a mutated index reaches the sparse checks', async () => {
  const seed = seeds[3];
  const { offset } = modelTarget.fields!(seed).at(-3)!;
  const mutated = seed.slice();
  new DataView(mutated.buffer).setUint32(offset, 0xffffffff, true);
  await expect(Promise.resolve().then(() => modelTarget.run(mutated))).rejects.toThrow(/CRC-32/);
  const error = await Promise.resolve().then(() => modelTarget.run(modelTarget.reseal!(mutated))).catch((e) => e);
  expect(error).toBeInstanceOf(TinyhushError);
  expect(error.message).not.toMatch(/CRC-32/);
});
