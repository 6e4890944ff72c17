import { jest } from '@jest/globals';
import { TinyhushError } from '../src/errors.js';

test('DNSMOS without onnxruntime-node is a typed error that says how to get it', async () => {
  jest.unstable_mockModule('onnxruntime-node', () => {
    throw new Error("Cannot find package 'onnxruntime-node'");
  });
  const { loadDnsmos } = await import('../src/eval/dnsmos.js');
  const failure = loadDnsmos('/any/dir');
  await expect(failure).rejects.toThrow(TinyhushError);
  await expect(failure).rejects.toMatchObject({ code: 'DNSMOS_UNAVAILABLE', message: expect.stringMatching(/npm install onnxruntime-node/) });
});
