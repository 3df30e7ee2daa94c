import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { RouterError } from '../errors.js'
import { UpstreamError } from '../core/handler.js'
import { DEFAULT_CLASSIFIER, parseClassifier } from './index.js'

const kind = (k: string) => parseClassifier(new Section({ kind: k }, 'service.responseClassifier'))
const timeout = new RouterError('ERR_TIMEOUT', 'exceeded')
const closed = new Error('client gone')
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'POST', 'PATCH']

/** Which methods each kind retries after a 503 (linkerd's table). */
const RETRIED: Record<string, string[]> = {
  'io.l5d.http.nonRetryable5XX': [],
  'io.l5d.http.retryableRead5XX': ['GET', 'HEAD', 'OPTIONS', 'TRACE'],
  'io.l5d.http.retryableIdempotent5XX': ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'],
  'io.l5d.http.retryableAll5XX': METHODS,
}

for (const [name, retried] of Object.entries(RETRIED)) {
  test(`${name}: 2xx-4xx succeed; 5xx and errors fail, retryable for its methods`, (t) => {
    const c = kind(name)
    for (const m of METHODS) {
      t.is(c.response(m, 200, []), 'success')
      t.is(c.response(m, 404, []), 'success')
      const failed = retried.includes(m) ? 'retryable' : 'failure'
      t.is(c.response(m, 503, []), failed, `${m} 503`)
      t.is(c.response(m, 500, []), failed, `${m} 500`)
      t.is(c.error(m, timeout), failed, `${m} timeout`)
      t.is(c.error(m, closed), 'failure', `${m}: an error no retry can cure`)
    }
  })
}

test('allSuccessful: every response succeeds; an error still fails', (t) => {
  const c = kind('io.l5d.http.allSuccessful')
  t.is(c.response('POST', 503, []), 'success')
  t.is(c.error('GET', new UpstreamError('ECONNRESET', 'reset')), 'failure')
})

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
