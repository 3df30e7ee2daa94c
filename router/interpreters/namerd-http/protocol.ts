/**
 * The client side of namerd's watch protocol, as pure functions: what an error line is, and how
 * long to wait before reconnecting. No I/O.
 */

/** A namerd error line's payload: `{"error":{"code":"ERR_MAX_DEPTH","message":"…"}}`. */
export interface NamerdError {
  readonly code: string
  readonly message: string
}

/** Reconnection backoff in ms (linkerd's `retry.baseSeconds`/`maxSeconds`, times 1000). */
export interface RetryOptions {
  /** The cap of the first wait; each further failure doubles it. */
  readonly baseMs: number
  /** The largest cap. */
  readonly maxMs: number
}

/** The shortest wait, so that a refusing server is never hammered in a tight loop. */
export const MIN_RETRY_DELAY_MS = 5

/**
 * The wait after the `failures`-th consecutive failure (1, 2, …): "full jitter", a random time
 * in [0, min(maxMs, baseMs·2^(failures-1))], but at least `MIN_RETRY_DELAY_MS`. `random` gives
 * [0, 1]: `() => 1` waits exactly the cap.
 */
export function retryDelayMs(failures: number, retry: RetryOptions, random: () => number): number {
  const cap = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, failures - 1))
  const jittered = Math.floor(Math.min(1, Math.max(0, random())) * cap)
  return Math.max(MIN_RETRY_DELAY_MS, jittered)
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
