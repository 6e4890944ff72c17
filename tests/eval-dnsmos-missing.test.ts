import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importOnnxRuntime, loadDnsmos } from '../src/eval/dnsmos.js';
import { InvalidOptionError, TinyhushError } from '../src/errors.js';

// A package name no registry holds: its import fails for real, whether or not onnxruntime-node is installed.
const ABSENT = 'tinyhush-test-absent-onnx-runtime';

test('a runtime that cannot be imported is a typed error that says how to get it', async () => {
  const failure = importOnnxRuntime(ABSENT);
  await expect(failure).rejects.toThrow(TinyhushError);
  await expect(failure).rejects.toMatchObject({
    code: 'DNSMOS_UNAVAILABLE',
    message: expect.stringMatching(new RegExp(`could not be loaded .*npm install ${ABSENT}`)),
  });
});

test('a missing model folder is reported before the runtime is looked for', async () => {
  await expect(loadDnsmos('/nonexistent-dnsmos')).rejects.toThrow(InvalidOptionError);
  await expect(loadDnsmos('/nonexistent-dnsmos')).rejects.toThrow(/^no DNSMOS model at .*nonexistent-dnsmos.*sig_bak_ovr\.onnx/);
});

test('with the model present, loading fails only with one of the two typed errors', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinyhush-dnsmos-'));
  try {
    writeFileSync(path.join(dir, 'sig_bak_ovr.onnx'), 'not an ONNX model');
    // DNSMOS_UNAVAILABLE without onnxruntime-node, INVALID_OPTION (cannot open the model) with it.
    const failure = loadDnsmos(dir);
    await expect(failure).rejects.toThrow(TinyhushError);
    await expect(failure).rejects.toMatchObject({ code: expect.stringMatching(/^(DNSMOS_UNAVAILABLE|INVALID_OPTION)$/) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
