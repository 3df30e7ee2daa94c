import test from 'ava'
import { constants } from 'node:http2'
import { ConfigError, Section } from '../../lib/config/section.js'
import { RouterError } from '../errors.js'
import { StreamResetError, UpstreamError } from '../core/handler.js'
import { DEFAULT_CLASSIFIER, parseClassifier } from './index.js'

const kind = (k: string) => parseClassifier(new Section({ kind: k }, 'service.responseClassifier'))
const timeout = new RouterError('ERR_TIMEOUT', 'exceeded')
const closed = new Error('client gone')
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'POST', 'PATCH']
const reset = (code: number) => new StreamResetError(code, `reset ${code}`)
/** A reset as the retry step sees it: wrapped by the balance step in the router's error. */
const wrapped = (code: number) =>
  new RouterError('ERR_UPSTREAM', 'from 127.0.0.1:9001', { cause: reset(code) })
const REFUSED = constants.NGHTTP2_REFUSED_STREAM

/** Which methods each kind retries after a 503 (linkerd's table, for http and h2). */
const RETRIED: Record<string, string[]> = {
  nonRetryable5XX: [],
  retryableRead5XX: ['GET', 'HEAD', 'OPTIONS', 'TRACE'],
  retryableIdempotent5XX: ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'],
  retryableAll5XX: METHODS,
}

for (const prefix of ['io.l5d.http', 'io.l5d.h2']) {
  for (const [name, retried] of Object.entries(RETRIED)) {
    test(`${prefix}.${name}: 2xx-4xx succeed at the head; 5xx and errors fail, retryable for its methods`, (t) => {
      const c = kind(`${prefix}.${name}`)
      for (const m of METHODS) {
        t.is(c.response(m, 200, []), 'success', 'never held until the end')
        t.is(c.response(m, 404, []), 'success')
        const failed = retried.includes(m) ? 'retryable' : 'failure'
        t.is(c.response(m, 503, []), failed, `${m} 503`)
        t.is(c.response(m, 500, []), failed, `${m} 500`)
        t.is(c.error(m, timeout), failed, `${m} timeout`)
        t.is(c.error(m, closed), 'failure', `${m}: an error no retry can cure`)
      }
    })
  }
  test(`${prefix}.allSuccessful: every response succeeds; an error still fails`, (t) => {
    const c = kind(`${prefix}.allSuccessful`)
    t.is(c.response('POST', 503, []), 'success')
    t.is(c.error('GET', new UpstreamError('ECONNRESET', 'reset')), 'failure')
    t.is(c.error('GET', reset(REFUSED)), 'failure')
  })
}

for (const [name, retried] of Object.entries(RETRIED)) {
  test(`io.l5d.h2.${name}: a reset fails, retryable for its methods only when refused`, (t) => {
    const c = kind(`io.l5d.h2.${name}`)
    const cancel = constants.NGHTTP2_CANCEL
    for (const m of METHODS) {
      const failed = retried.includes(m) ? 'retryable' : 'failure'
      for (const err of [reset(cancel), wrapped(cancel), wrapped(constants.NGHTTP2_INTERNAL_ERROR)])
        t.is(c.error(m, err), 'failure', `${m}: the endpoint may have acted before its reset`)
      t.is(c.error(m, reset(REFUSED)), failed, `${m} refused`)
      t.is(c.error(m, wrapped(REFUSED)), failed, `${m} refused, wrapped`)
    }
  })
}

test('the default is nonRetryable5XX', (t) => {
  t.is(parseClassifier(undefined), DEFAULT_CLASSIFIER)
  t.is(DEFAULT_CLASSIFIER.kind, 'io.l5d.http.nonRetryable5XX')
})

test('unknown kinds and keys are errors naming the place', (t) => {
  const bad = (raw: unknown) =>
    t.throws(() => parseClassifier(new Section(raw, 'r.service.responseClassifier')), {
      instanceOf: ConfigError,
    }).message
  t.regex(bad({ kind: 'io.l5d.http.sometimes' }), /responseClassifier\.kind.*unknown kind/)
  t.regex(bad({ kind: 'io.l5d.h2.grpc.sometimes' }), /responseClassifier\.kind.*unknown kind/)
  t.regex(bad({ kind: 'io.l5d.http.retryableRead5XX', x: 1 }), /unknown key\(s\): x/)
})
