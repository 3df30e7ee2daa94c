import test from 'ava'
import { responseHeaders, encodeErrHeader, readInbound, viaDepth } from './headers.js'

test('hop-by-hop, Connection-listed and router-owned request headers are not forwarded', (t) => {
  const raw = [
    'Host',
    'web',
    'Connection',
    'keep-alive, X-Secret-Hop',
    'X-Secret-Hop',
    '1',
    'Keep-Alive',
    'timeout=5',
    'Transfer-Encoding',
    'chunked',
    'TE',
    'trailers',
    'Upgrade',
    'h2c',
    'Proxy-Authorization',
    'Basic x',
    'l5d-dtab',
    '/a=>/b',
    'L5d-Ctx-Dtab',
    '/c=>/d',
    'l5d-dst-service',
    '/forged',
    'l5d-reqid',
    'forged',
    'Via',
    '1.1 a',
    'via',
    '1.1 b',
    'Accept',
    'text/plain',
    'l5d-ctx-deadline',
    '1 2',
    'X-Custom',
    'v',
  ]
  const up = readInbound(raw, false)
  t.deepEqual(up.headers, ['Accept', 'text/plain', 'X-Custom', 'v'])
  t.deepEqual(up.deadline, ['1 2'], 'l5d-ctx-deadline is read, and stamped afresh when sent')
  t.is(up.host, 'web')
  t.is(up.via, '1.1 a, 1.1 b')
  t.deepEqual(up.userDtab, ['/a=>/b'])
  t.deepEqual(up.ctxDtab, ['/c=>/d'])
  t.true(up.hasBody, 'transfer-encoding means a body follows')
  t.is(up.bodyLength, -1, 'a chunked body has no known length')
})

test('a body follows a non-zero content-length, not a zero one', (t) => {
  t.true(readInbound(['Content-Length', '5'], false).hasBody)
  t.is(readInbound(['Content-Length', '5'], false).bodyLength, 5)
  t.false(readInbound(['Content-Length', '0'], false).hasBody)
  t.false(readInbound(['Accept', '*/*'], false).hasBody)
})

test('clearContext drops every l5d-* request header', (t) => {
  const raw = ['l5d-ctx-deadline', '1 2', 'L5D-Anything', 'x', 'X-Custom', 'v']
  const up = readInbound(raw, true)
  t.deepEqual(up.headers, ['X-Custom', 'v'])
  t.is(up.userDtab, undefined)
  t.is(up.deadline, undefined)
})

test('response headers lose hop-by-hop ones and gain a Via entry after any upstream Via', (t) => {
  const raw = [
    'Content-Length',
    '2',
    'Connection',
    'close',
    'Via',
    '1.1 up',
    'l5d-err',
    'x',
    'X-A',
    'b',
  ]
  const buf = raw
  t.deepEqual(responseHeaders(buf, '1.1 linkerd', false), [
    'Content-Length',
    '2',
    'l5d-err',
    'x',
    'X-A',
    'b',
    'via',
    '1.1 up, 1.1 linkerd',
  ])
  t.deepEqual(responseHeaders(buf, '1.1 linkerd', true), [
    'Content-Length',
    '2',
    'X-A',
    'b',
    'via',
    '1.1 up, 1.1 linkerd',
  ])
})

test('response headers named in the upstream Connection header are dropped too', (t) => {
  const raw = [
    'Connection',
    'close, X-Secret',
    'x-secret',
    '1',
    'Keep-Alive',
    'timeout=5',
    'Proxy-Connection',
    'keep-alive',
    'connection',
    'x-other',
    'X-Other',
    '2',
    'x-kept',
    '3',
  ]
  t.deepEqual(responseHeaders(raw, '1.1 linkerd', false), ['x-kept', '3', 'via', '1.1 linkerd'])
})

test('Via depth counts comma-separated entries', (t) => {
  t.is(viaDepth(undefined), 0)
  t.is(viaDepth(''), 0)
  t.is(viaDepth('1.1 linkerd'), 1)
  t.is(viaDepth('1.1 linkerd, 1.1 linkerd, 1.0 proxy'), 3)
})

test('l5d-err is form-encoded ISO-8859-1 with + for space', (t) => {
  t.is(
    encodeErrHeader('Unable to route request!\n/svc/a'),
    'Unable+to+route+request%21%0A%2Fsvc%2Fa',
  )
  t.is(encodeErrHeader('a*b-c_d.e'), 'a*b-c_d.e')
  t.is(encodeErrHeader('é'), '%E9')
  t.is(encodeErrHeader('x'.repeat(100), 10).length, 10)
})

test('HTTP/2 pseudo-headers are never forwarded; :authority is the host, over host', (t) => {
  const raw = [':method', 'POST', ':path', '/pkg.Svc/Do', ':scheme', 'http']
  raw.push(':authority', 'users:8080', 'host', 'other', 'content-type', 'application/grpc')
  const inbound = readInbound(raw, false)
  t.deepEqual(inbound.headers, ['content-type', 'application/grpc'])
  t.is(inbound.host, 'users:8080')
  t.false(inbound.hasBody)
})
