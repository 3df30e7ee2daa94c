/**
 * The one error base class of the project. Every error thrown on purpose is a `CodedError`
 * with a stable `code` (listed in docs/errors.md); servers and CLIs map codes to statuses in
 * one place and never parse messages.
 */
export abstract class CodedError extends Error {
  abstract readonly code: string
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The message of anything thrown, for logs and error bodies. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}

/** The stable code of a `CodedError` (or of a Node system error), else undefined. */
export function errorCode(e: unknown): string | undefined {
  if (e instanceof CodedError) return e.code
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') {
    return e.code
  }
  return undefined
}

/** For exhaustive switches: the compiler proves this is never called. */
export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`)
}
