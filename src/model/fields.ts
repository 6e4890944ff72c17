/**
 * Typed access to untrusted JSON: each getter returns the field with its type narrowed, or throws
 * `ModelFormatError` naming the field's path (e.g. `layers[2].in`) and what was expected.
 */
import { ModelFormatError } from '../errors.js';

/** A JSON object whose fields have not been checked yet. */
export type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `an ${typeof value}`;
}

/** Throws `ModelFormatError`: "`path`: expected …, found …". */
export function fail(path: string, expected: string, ...found: [unknown?]): never {
  const tail = found.length > 0 ? `, found ${describe(found[0])}` : '';
  throw new ModelFormatError(`model header: ${path}: expected ${expected}${tail}`);
}

/** `value` as an object, or throws. */
export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as JsonObject;
}

/** `value` as an array, or throws. */
export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

/** Field `key` of `obj` as a non-empty string. */
export function getString(obj: JsonObject, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) fail(`${path}.${key}`, 'a non-empty string', value);
  return value;
}

/** Field `key` of `obj` as a string (possibly empty). */
export function getText(obj: JsonObject, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== 'string') fail(`${path}.${key}`, 'a string', value);
  return value;
}

/** `value` as a safe integer ≥ `min` (and ≤ `max` when given), or throws. */
export function asInt(value: unknown, path: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(path, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** Field `key` of `obj` as a safe integer ≥ `min` (and ≤ `max` when given). */
export function getInt(obj: JsonObject, key: string, path: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  return asInt(obj[key], `${path}.${key}`, min, max);
}

/** `value` as an array of at most `max` items, or throws. */
export function asList(value: unknown, path: string, max: number): unknown[] {
  const list = asArray(value, path);
  if (list.length > max) fail(path, `at most ${max} entries`, list.length);
  return list;
}

/** Field `key` of `obj` as one of `allowed`. */
export function getOneOf<T extends string | number>(obj: JsonObject, key: string, path: string,
  allowed: readonly T[], note = ''): T {
  const value = obj[key];
  if (!allowed.includes(value as T)) {
    fail(`${path}.${key}`, `${allowed.map((a) => JSON.stringify(a)).join(' or ')}${note}`, value);
  }
  return value as T;
}
