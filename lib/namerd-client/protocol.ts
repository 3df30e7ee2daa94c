/** What a line of a namerd watch stream may be, as pure functions. No I/O. */

/** Longer than this, a line is a protocol error (and the connection is retried). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

/** A namerd error line's payload: `{"error":{"code":"ERR_MAX_DEPTH","message":"…"}}`. */
export interface NamerdError {
  readonly code: string
  readonly message: string
}

/**
 * The error carried by a document when it is a namerd error line (an object whose only key is
 * `error`, holding a string `code` and `message`), else undefined: then it is a value.
 */
export function namerdError(doc: unknown): NamerdError | undefined {
  if (!isRecord(doc) || Object.keys(doc).length !== 1 || !isRecord(doc.error)) return undefined
  const { code, message } = doc.error
  if (typeof code !== 'string' || typeof message !== 'string') return undefined
  return { code, message }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}
