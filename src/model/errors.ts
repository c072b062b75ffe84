/**
 * Typed errors. The CLI prints `error: <message>` and the hint, and shows the stack only with
 * `--debug`; a user never sees a stack trace for bad input.
 */

export interface PermdriftErrorOptions {
  cause?: unknown;
  /** The input file the problem is in, when there is one. */
  file?: string;
}

export class PermdriftError extends Error {
  readonly file?: string;

  constructor(
    public readonly code: string,
    message: string,
    /** What to run or fix, in one line. */
    public readonly hint: string,
    options?: PermdriftErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.file !== undefined) this.file = options.file;
  }
}

/** A provider file or directory that cannot be read or has the wrong shape. */
export class InputError extends PermdriftError {
  constructor(message: string, hint: string, options?: PermdriftErrorOptions) {
    super('INPUT_INVALID', message, hint, options);
  }
}

/** A config file, exceptions file or baseline that is invalid. */
export class ConfigError extends PermdriftError {
  constructor(message: string, hint: string, options?: PermdriftErrorOptions) {
    super('CONFIG_INVALID', message, hint, options);
  }
}

/** Bad command-line arguments. */
export class UsageError extends PermdriftError {
  constructor(message: string, hint: string, options?: PermdriftErrorOptions) {
    super('USAGE', message, hint, options);
  }
}

/** A report or snapshot that cannot be written where it was asked to go. */
export class OutputError extends PermdriftError {
  constructor(message: string, hint: string, options?: PermdriftErrorOptions) {
    super('OUTPUT_FAILED', message, hint, options);
  }
}
