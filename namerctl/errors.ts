import { CodedError } from '../lib/errors.js'

/** A problem with what the user gave namerctl (a file, a path, a dtab); exit status 1. */
export class InputError extends CodedError {
  readonly code = 'ERR_INPUT'
}

/** Resolution failed (dtab loop, unknown `/$` namer, namer error, timeout); exit status 1. */
export class ResolveError extends CodedError {
  readonly code = 'ERR_RESOLVE'
}
