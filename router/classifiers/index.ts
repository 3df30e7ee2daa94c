/**
 * The response classifier family (`service.responseClassifier`, linkerd's HTTP, HTTP/2 and gRPC
 * classifiers): each says of one attempt's outcome whether it was a success, a failure, or a
 * failure that is safe to retry. The classification feeds the success and failure stats,
 * failure accrual and retries. `io.l5d.http.nonRetryable5XX` is the default.
 */
import { Section } from '../../lib/config/section.js'
import { parseKind, registry, type Plugin } from '../../lib/plugin.js'
import { grpcKinds } from './grpc.js'
import { h2StatusKinds } from './h2.js'
import { isRetryableError, statusKinds } from './http.js'

/** What an attempt's outcome was. */
export type Classification = 'success' | 'failure' | 'retryable'

/** Classifies one attempt: a response it got, or the error it ended with instead. */
export interface ResponseClassifier {
  /** The kind, for logs and the admin. */
  readonly kind: string
  /**
   * A response head: `status` and its header fields (flat `[name, value, …]`) to a request
   * with `method`. Undefined: the outcome is known only at the stream's end (`end`), e.g. a
   * gRPC status sent in trailers.
   */
  response(method: string, status: number, headers: readonly string[]): Classification | undefined
  /** The stream's end, for a response `response` left undecided: its trailers (none: `[]`). */
  end(method: string, status: number, trailers: readonly string[]): Classification
  /**
   * True when `end` never answers `retryable` (gRPC's `neverRetryable`): the retry step then
   * holds no answer for its end, since only an `l5d-retryable: true` head could make it retried.
   */
  readonly endNeverRetryable?: boolean
  /** No (complete) response: the attempt ended with `err` (connect, reset, timeout). */
  error(method: string, err: Error): Classification
}

export type ClassifierPlugin = Plugin<ResponseClassifier, Record<string, never>>

/** The built-in kinds. */
export const classifiers = registry(
  ...statusKinds('io.l5d.http', isRetryableError),
  ...h2StatusKinds,
  ...grpcKinds,
)

/** The default classifier (linkerd's): 5xx and errors are failures, never retried. */
export const DEFAULT_CLASSIFIER: ResponseClassifier = (
  classifiers.get('io.l5d.http.nonRetryable5XX') as ClassifierPlugin
).parse(new Section({}, 'responseClassifier'))({})

/**
 * The classifier a `responseClassifier` section describes (`kind` required); the default when
 * the section is absent. Throws a `ConfigError` for an unknown kind or key. Pure.
 */
export function parseClassifier(s: Section | undefined): ResponseClassifier {
  if (s === undefined) return DEFAULT_CLASSIFIER
  return parseKind(classifiers, s)({})
}

export { isRetryableError }

/** An empty field list. */
export const NO_FIELDS: readonly string[] = Object.freeze([])

/** What one attempt's complete answer was: by its head, or else by its trailers. */
export function outcome(
  c: ResponseClassifier,
  method: string,
  status: number,
  headers: readonly string[],
  trailers: readonly string[] | undefined,
): Classification {
  return c.response(method, status, headers) ?? c.end(method, status, trailers ?? NO_FIELDS)
}
