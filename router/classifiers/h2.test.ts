import test from 'ava'
import { constants } from 'node:http2'
import { Section } from '../../lib/config/section.js'
import { RouterError } from '../errors.js'
import { StreamResetError, UpstreamError } from '../core/handler.js'
import { parseClassifier } from './index.js'

const kind = (k: string) => parseClassifier(new Section({ kind: k }, 'service.responseClassifier'))
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'POST', 'PATCH']
const reset = (code: number) => new StreamResetError(code, `reset ${code}`)
/** A reset as the retry step sees it: wrapped by the balance step in the router's error. */
const wrapped = (code: number) =>
  new RouterError('ERR_UPSTREAM', 'from 127.0.0.1:9001', { cause: reset(code) })
const REFUSED = constants.NGHTTP2_REFUSED_STREAM
const CANCEL = constants.NGHTTP2_CANCEL
const timeout = new RouterError('ERR_TIMEOUT', 'exceeded')

/** Which methods each kind retries after a 503 (linkerd's table, the http one). */
const RETRIED: Record<string, string[]> = {
  'io.l5d.h2.nonRetryable5XX': [],
  'io.l5d.h2.retryableRead5XX': ['GET', 'HEAD', 'OPTIONS', 'TRACE'],
  'io.l5d.h2.retryableIdempotent5XX': ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'],
  'io.l5d.h2.retryableAll5XX': METHODS,
}

for (const [name, retried] of Object.entries(RETRIED)) {
  test(`${name}: decided at the head; a reset fails, retryable only when refused`, (t) => {
    const c = kind(name)
    for (const m of METHODS) {
      const failed = retried.includes(m) ? 'retryable' : 'failure'
      t.is(c.response(m, 200, []), 'success', 'never held until the end')
      t.is(c.response(m, 404, []), 'success')
      t.is(c.response(m, 503, []), failed, `${m} 503`)
      t.is(c.error(m, timeout), failed, `${m} timeout`)
      for (const err of [reset(CANCEL), wrapped(CANCEL), wrapped(constants.NGHTTP2_INTERNAL_ERROR)])
        t.is(c.error(m, err), 'failure', `${m}: the endpoint may have acted before its reset`)
      t.is(c.error(m, reset(REFUSED)), failed, `${m} refused`)
      t.is(c.error(m, wrapped(REFUSED)), failed, `${m} refused, wrapped`)
    }
  })
}

test('io.l5d.h2.allSuccessful: every response succeeds; a reset or an error fails', (t) => {
  const c = kind('io.l5d.h2.allSuccessful')
  t.is(c.response('POST', 503, []), 'success')
  t.is(c.error('GET', reset(REFUSED)), 'failure')
  t.is(c.error('GET', new UpstreamError('ECONNRESET', 'reset')), 'failure')
})
