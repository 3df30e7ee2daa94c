import test from 'ava'
import { constants } from 'node:http2'
import { ConfigError, Section } from '../../lib/config/section.js'
import { RouterError } from '../errors.js'
import { StreamResetError } from '../core/handler.js'
import { outcome, parseClassifier } from './index.js'

const grpc = (k: string, more: Record<string, unknown> = {}) =>
  parseClassifier(
    new Section({ kind: `io.l5d.h2.grpc.${k}`, ...more }, 'r.service.responseClassifier'),
  )
const status = (code: number | string): string[] => [
  'grpc-status',
  String(code),
  'grpc-message',
  'x',
]
const HEAD = ['content-type', 'application/grpc']
const reset = (code: number) =>
  new RouterError('ERR_UPSTREAM', 'reset', { cause: new StreamResetError(code, 'reset') })
const connect = new RouterError('ERR_CONNECT', 'refused')
const timeout = new RouterError('ERR_TIMEOUT', 'exceeded')

/** gRPC codes each kind retries (those not listed fail without retry; 0 succeeds). */
const RETRIED: Record<string, number[]> = {
  default: [14],
  compliant: [14],
  alwaysRetryable: [1, 2, 4, 13, 14, 16],
  neverRetryable: [],
}

for (const [k, retried] of Object.entries(RETRIED)) {
  test(`io.l5d.h2.grpc.${k}: the grpc-status of a headers-only answer or of the trailers`, (t) => {
    const c = grpc(k)
    t.is(c.response('POST', 200, HEAD), undefined, 'a gRPC status comes in the trailers')
    for (const code of [0, 1, 2, 4, 13, 14, 16]) {
      const expected = code === 0 ? 'success' : retried.includes(code) ? 'retryable' : 'failure'
      t.is(c.response('POST', 200, [...HEAD, ...status(code)]), expected, `trailers-only ${code}`)
      t.is(c.end('POST', 200, status(code)), expected, `trailers ${code}`)
      t.is(outcome(c, 'POST', 200, HEAD, status(code)), expected)
    }
    t.is(c.end('POST', 200, []), 'failure', 'a stream ended without a grpc-status')
    t.is(outcome(c, 'POST', 200, HEAD, undefined), 'failure')
    t.is(
      c.end('POST', 200, status('fourteen')),
      retried.includes(2) ? 'retryable' : 'failure',
      'UNKNOWN',
    )
  })
}

test('an HTTP error status without grpc-status fails; compliant retries 429, 502, 503, 504', (t) => {
  for (const k of ['default', 'alwaysRetryable', 'neverRetryable', 'compliant']) {
    const c = grpc(k)
    for (const s of [400, 404, 500, 501, 429, 502, 503, 504]) {
      const retryable = k === 'compliant' && [429, 502, 503, 504].includes(s)
      t.is(c.response('POST', s, []), retryable ? 'retryable' : 'failure', `${k} ${s}`)
    }
    t.is(c.response('POST', 503, status(0)), 'success', 'a grpc-status wins over the HTTP one')
  }
})

test('errors: a refused stream is retryable in compliant only; other resets never', (t) => {
  const refused = reset(constants.NGHTTP2_REFUSED_STREAM)
  const cancel = reset(constants.NGHTTP2_CANCEL)
  t.is(grpc('compliant').error('POST', refused), 'retryable')
  t.is(grpc('compliant').error('POST', new StreamResetError(7, 'bare')), 'retryable')
  for (const k of Object.keys(RETRIED)) {
    t.is(grpc(k).error('POST', cancel), 'failure', k)
    if (k !== 'compliant') t.is(grpc(k).error('POST', refused), 'failure', k)
  }
})

test('errors a retry cures are retryable in the kinds that retry UNAVAILABLE', (t) => {
  for (const err of [connect, timeout]) {
    t.is(grpc('default').error('POST', err), 'retryable')
    t.is(grpc('alwaysRetryable').error('POST', err), 'retryable')
    t.is(grpc('neverRetryable').error('POST', err), 'failure')
    t.is(grpc('retryableStatusCodes', { retryableStatusCodes: [4] }).error('POST', err), 'failure')
    t.is(
      grpc('retryableStatusCodes', { retryableStatusCodes: [14] }).error('POST', err),
      'retryable',
    )
  }
  t.is(grpc('default').error('POST', new Error('client gone')), 'failure')
})

test('retryableStatusCodes and successStatusCodes', (t) => {
  const c = grpc('retryableStatusCodes', { retryableStatusCodes: [2, 5, 100] })
  t.is(c.end('POST', 200, status(5)), 'retryable')
  t.is(c.end('POST', 200, status(100)), 'retryable')
  t.is(c.end('POST', 200, status(14)), 'failure')
  const lenient = grpc('default', { successStatusCodes: [0, 3, 5] })
  t.is(lenient.end('POST', 200, status(5)), 'success')
  t.is(lenient.end('POST', 200, status(14)), 'retryable')
  t.is(lenient.end('POST', 200, status(13)), 'failure')
  const noOk = grpc('neverRetryable', { successStatusCodes: [5] })
  t.is(noOk.end('POST', 200, status(0)), 'failure', 'the list replaces [0]')
})

test('bad gRPC classifier configs are errors naming the place', (t) => {
  const bad = (k: string, more: Record<string, unknown>) =>
    t.throws(() => grpc(k, more), { instanceOf: ConfigError }).message
  t.regex(bad('retryableStatusCodes', {}), /responseClassifier\.retryableStatusCodes: required/)
  t.regex(
    bad('retryableStatusCodes', { retryableStatusCodes: [14, 'x'] }),
    /retryableStatusCodes\[1\]: expected a gRPC status code/,
  )
  t.regex(bad('default', { successStatusCodes: 0 }), /successStatusCodes: expected a list/)
  t.regex(bad('default', { successStatusCodes: [-1] }), /successStatusCodes\[0\]/)
  t.regex(bad('default', { retryableStatusCodes: [1] }), /unknown key\(s\): retryableStatusCodes/)
})
