/**
 * Typed errors. Every error tinyhush throws on bad input is one of these, with a `code` that
 * programs can switch on and a message that says what was wrong and what is supported.
 */

/** Base class of all tinyhush errors. */
export class TinyhushError extends Error {
  /** Stable machine-readable code, e.g. `'MODEL_FORMAT'`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A model file is truncated, corrupt, or its sizes do not agree. */
export class ModelFormatError extends TinyhushError {
  constructor(message: string) { super('MODEL_FORMAT', message); }
}

/** A WAV file is corrupt, empty, compressed, or of an unsupported bit depth or layout. */
export class WavFormatError extends TinyhushError {
  constructor(message: string) { super('WAV_FORMAT', message); }
}

/** A sample rate outside the supported set. */
export class UnsupportedRateError extends TinyhushError {
  constructor(message: string) { super('UNSUPPORTED_RATE', message); }
}

/** An option that is unknown, of the wrong type, or out of range. */
export class InvalidOptionError extends TinyhushError {
  constructor(message: string) { super('INVALID_OPTION', message); }
}

/** A model name that is not in the bundled registry. */
export class UnknownModelError extends TinyhushError {
  constructor(message: string) { super('UNKNOWN_MODEL', message); }
}
