/**
 * linkerd's HTTP response classifiers. A 5xx response is a failure; an attempt that ended with
 * an error is a failure too. In the `retryable*` kinds, a failure is retryable when the
 * request's method is in the kind's set and the failure is a 5xx or an error that means the
 * exchange did not complete (a timeout, a connection refused, reset or closed, an unparsable
 * response). `allSuccessful` counts every response as a success.
 */
import { RouterError } from '../errors.js'
import type { ClassifierPlugin, Classification, ResponseClassifier } from './index.js'

const READ = ['GET', 'HEAD', 'OPTIONS', 'TRACE']
const IDEMPOTENT = [...READ, 'PUT', 'DELETE']

/**
 * Codes of errors after which sending the request again is sound for a method that allows it:
 * timeouts, connections refused, reset or closed, responses that could not be parsed.
 */
const RETRYABLE_CODES = new Set([
  'ERR_TIMEOUT',
  'ERR_RESPONSE_TIMEOUT',
  'ERR_CONNECT',
  'ERR_POOL_QUEUE_FULL',
  'ERR_UPSTREAM',
])

/** Whether `err` ended an attempt in a way a retry can cure (see RETRYABLE_CODES). */
export function isRetryableError(err: Error): boolean {
  return err instanceof RouterError && RETRYABLE_CODES.has(err.code)
}

function fiveXX(kind: string, retryable: (method: string) => boolean): ClassifierPlugin {
  const classifier: ResponseClassifier = {
    kind,
    response(method: string, status: number): Classification {
      if (status < 500) return 'success'
      return retryable(method) ? 'retryable' : 'failure'
    },
    end(method: string, status: number): Classification {
      return classifier.response(method, status, []) as Classification
    },
    error(method: string, err: Error): Classification {
      return retryable(method) && isRetryableError(err) ? 'retryable' : 'failure'
    },
  }
  return { kind, parse: () => () => classifier }
}

export const nonRetryable5XX = fiveXX('io.l5d.http.nonRetryable5XX', () => false)

export const retryableRead5XX = fiveXX('io.l5d.http.retryableRead5XX', (m) => READ.includes(m))

export const retryableIdempotent5XX = fiveXX('io.l5d.http.retryableIdempotent5XX', (m) =>
  IDEMPOTENT.includes(m),
)

export const retryableAll5XX = fiveXX('io.l5d.http.retryableAll5XX', () => true)

const everySuccess: ResponseClassifier = {
  kind: 'io.l5d.http.allSuccessful',
  response: () => 'success',
  end: () => 'success',
  error: () => 'failure',
}

export const allSuccessful: ClassifierPlugin = {
  kind: everySuccess.kind,
  parse: () => () => everySuccess,
}
