import { CodedError } from '../lib/errors.js'

/** A problem with what the user gave namerctl (a file, a path, a dtab); exit status 1. */
export class InputError extends CodedError {
  readonly code = 'ERR_INPUT'
}

/** Resolution failed (dtab loop, unknown `/$` namer, namer error, timeout); exit status 1. */
export class ResolveError extends CodedError {
  readonly code = 'ERR_RESOLVE'
}

/** Bad arguments or flags (an extra argument, flags that exclude each other); exit status 2. */
export class UsageError extends CodedError {
  readonly code = 'ERR_USAGE'
}

/** An invalid base URL or namerctl config file (`.namerctl.yaml`, `--config`); exit status 2. */
export class CliConfigError extends CodedError {
  readonly code = 'ERR_NAMERCTL_CONFIG'
}

/** What went wrong talking to namerd; exit.ts maps each code to its exit status. */
export type NamerdErrorCode =
  | 'ERR_NAMERD_UNREACHABLE'
  | 'ERR_NOT_FOUND'
  | 'ERR_REJECTED'
  | 'ERR_ALREADY_EXISTS'
  | 'ERR_VERSION_CONFLICT'
  | 'ERR_NAMERD_UNAVAILABLE'
  | 'ERR_UNEXPECTED_RESPONSE'
  | 'ERR_NOT_AUTHORISED'
  | 'ERR_SHIFT_IN_PROGRESS'

/** namerd could not be reached, or answered with something other than success. */
export class NamerdError extends CodedError {
  constructor(
    readonly code: NamerdErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
