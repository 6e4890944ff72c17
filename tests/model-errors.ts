/** Assertions on model files the reader must refuse, shared by the model-format tests. */
import { ModelFormatError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';

/** The ModelFormatError that reading `bytes` throws; fails the test on any other outcome. */
export function formatError(bytes: Uint8Array): ModelFormatError {
  try {
    readModel(bytes);
  } catch (e) {
    if (e instanceof ModelFormatError) return e;
    throw new Error(`expected ModelFormatError, got ${String(e)}`);
  }
  throw new Error('expected ModelFormatError, but the file was accepted');
}

/** Expects reading `bytes` to fail with a ModelFormatError whose message matches `fragment`. */
export const rejects = (bytes: Uint8Array, fragment: RegExp): void => expect(formatError(bytes).message).toMatch(fragment);
