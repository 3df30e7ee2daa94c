/**
 * linkerd's status classifiers, for HTTP/1.1 (`io.l5d.http.*`) and HTTP/2 (`io.l5d.h2.*`): a 5xx
 * response is a failure; an attempt that ended with an error is a failure too. In the
 * `retryable*` kinds, a failure is retryable when the request's method is in the kind's set and
 * the failure is a 5xx or an error that means the exchange did not complete (a timeout, a
 * connection refused, reset or closed, an unparsable response). `allSuccessful` counts every
 * response as a success. They decide at the response's head, so a response is never held.
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

/** Whether an error a retry can cure ended the attempt (for a method that allows a retry). */
export type RetryableError = (err: Error) => boolean

function fiveXX(
  kind: string,
  retryable: (method: string) => boolean,
  retryableError: RetryableError,
): ClassifierPlugin {
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
      return retryable(method) && retryableError(err) ? 'retryable' : 'failure'
    },
  }
  return { kind, parse: () => () => classifier }
}

function allSuccessful(kind: string): ClassifierPlugin {
  const everySuccess: ResponseClassifier = {
    kind,
    response: () => 'success',
    end: () => 'success',
    error: () => 'failure',
  }
  return { kind, parse: () => () => everySuccess }
}

/**
 * The five status kinds under `prefix` (`io.l5d.http`, `io.l5d.h2`), an error judged retryable
 * by `retryableError` for the methods a kind retries.
 */
export function statusKinds(prefix: string, retryableError: RetryableError): ClassifierPlugin[] {
  const kind = (name: string, methods: (method: string) => boolean): ClassifierPlugin =>
    fiveXX(`${prefix}.${name}`, methods, retryableError)
  return [
    kind('nonRetryable5XX', () => false),
    kind('retryableRead5XX', (m) => READ.includes(m)),
    kind('retryableIdempotent5XX', (m) => IDEMPOTENT.includes(m)),
    kind('retryableAll5XX', () => true),
    allSuccessful(`${prefix}.allSuccessful`),
  ]
}
