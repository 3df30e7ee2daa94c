/**
 * linkerd's gRPC classifiers (`io.l5d.h2.grpc.*`): the outcome of a call is its `grpc-status`,
 * read from the response's head when the endpoint answered with headers only (at once), else
 * from the trailers at the stream's end. A status in `successStatusCodes` (default `[0]`, OK) is
 * a success; any other is a failure, retryable as the kind says. A stream that ends without a
 * `grpc-status` is a failure, and so is an HTTP 4xx or 5xx answer without one (retryable in
 * `compliant` for 429, 502, 503, 504: the statuses gRPC maps to UNAVAILABLE). An unreadable
 * status is UNKNOWN (2), as gRPC clients read it.
 *
 * Errors: a reset stream is retryable only in `compliant` and only when REFUSED_STREAM
 * (linkerd's rule); another error that a retry can cure (isRetryableError: a timeout, a
 * connection refused or closed) is retryable in the kinds that retry UNAVAILABLE, the status a
 * gRPC client gives a call whose connection failed.
 */
import { ConfigError, type Section } from '../../lib/config/section.js'
import { isRefused, streamReset } from './h2.js'
import { isRetryableError } from './http.js'
import type { ClassifierPlugin, Classification, ResponseClassifier } from './index.js'

const UNKNOWN = 2
const UNAVAILABLE = 14
/** The HTTP statuses gRPC maps to UNAVAILABLE (its http-grpc-status mapping). */
const RETRYABLE_HTTP = new Set([429, 502, 503, 504])

/** What makes one gRPC kind. */
interface GrpcRules {
  /** Whether a failed call with this gRPC status may be sent again. */
  readonly retryable: (code: number) => boolean
  /** `compliant`: HTTP 429/502/503/504 and a refused stream are retryable. */
  readonly compliant?: boolean
  /** No gRPC status is retryable (`retryable` is always false). */
  readonly never?: boolean
}

/** The `grpc-status` among flat header or trailer fields, if there is one. */
export function grpcStatus(fields: readonly string[]): number | undefined {
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string
    if (name.length === 11 && name.toLowerCase() === 'grpc-status') {
      const value = (fields[i + 1] as string).trim()
      return /^\d{1,10}$/.test(value) ? Number(value) : UNKNOWN
    }
  }
  return undefined
}

function grpcClassifier(kind: string, rules: GrpcRules, success: ReadonlySet<number>) {
  const byCode = (code: number): Classification =>
    success.has(code) ? 'success' : rules.retryable(code) ? 'retryable' : 'failure'
  const byError = (err: Error): boolean =>
    streamReset(err) === undefined
      ? rules.retryable(UNAVAILABLE) && isRetryableError(err)
      : rules.compliant === true && isRefused(err)
  const classifier: ResponseClassifier = {
    kind,
    endNeverRetryable: rules.never === true,
    response(_method, status, headers) {
      const code = grpcStatus(headers)
      if (code !== undefined) return byCode(code)
      if (status < 400 || status >= 600) return undefined
      return rules.compliant === true && RETRYABLE_HTTP.has(status) ? 'retryable' : 'failure'
    },
    end(_method, _status, trailers) {
      const code = grpcStatus(trailers)
      return code === undefined ? 'failure' : byCode(code)
    },
    error: (_method, err) => (byError(err) ? 'retryable' : 'failure'),
  }
  return classifier
}

/** A list of gRPC status codes (integers ≥ 0) at `key`. */
function codes(s: Section, key: string): number[] {
  return s.list(key, (v, at) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1) return v
    throw new ConfigError(at, `expected a gRPC status code (an integer ≥ 0), got ${String(v)}`)
  })
}

function grpcKind(kind: string, rules: (s: Section) => GrpcRules): ClassifierPlugin {
  return {
    kind,
    parse(s) {
      const success = new Set(s.has('successStatusCodes') ? codes(s, 'successStatusCodes') : [0])
      const classifier = grpcClassifier(kind, rules(s), success)
      return () => classifier
    },
  }
}

export const grpcKinds: ClassifierPlugin[] = [
  grpcKind('io.l5d.h2.grpc.default', () => ({ retryable: (c) => c === UNAVAILABLE })),
  grpcKind('io.l5d.h2.grpc.compliant', () => ({
    retryable: (c) => c === UNAVAILABLE,
    compliant: true,
  })),
  grpcKind('io.l5d.h2.grpc.alwaysRetryable', () => ({ retryable: () => true })),
  grpcKind('io.l5d.h2.grpc.neverRetryable', () => ({ retryable: () => false, never: true })),
  grpcKind('io.l5d.h2.grpc.retryableStatusCodes', (s) => {
    if (!s.has('retryableStatusCodes'))
      throw new ConfigError(s.where('retryableStatusCodes'), 'required')
    const retryable = new Set(codes(s, 'retryableStatusCodes'))
    return { retryable: (c) => retryable.has(c), never: retryable.size === 0 }
  }),
]
