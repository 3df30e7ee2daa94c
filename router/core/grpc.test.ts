import test from 'ava'
import { GRPC_MESSAGE_MAX, grpcMessage, grpcTimeoutMs, isGrpc, readGrpcTimeout } from './grpc.js'
import { request } from '../../testing/router/core.js'

test('readGrpcTimeout: every unit, to ms', (t) => {
  t.is(readGrpcTimeout('2H'), 7_200_000)
  t.is(readGrpcTimeout('3M'), 180_000)
  t.is(readGrpcTimeout('5S'), 5000)
  t.is(readGrpcTimeout('100m'), 100)
  t.is(readGrpcTimeout('2500u'), 2.5)
  t.is(readGrpcTimeout('1000000n'), 1)
  t.is(readGrpcTimeout('0m'), 0)
  t.is(readGrpcTimeout('99999999H'), 2_147_483_647, 'capped at the longest timer')
})

test('readGrpcTimeout: malformed values are undefined', (t) => {
  for (const bad of ['', '100', 'm', '1.5S', '-1S', '123456789m', '10s', '10 S', '1e3m', 'S5']) {
    t.is(readGrpcTimeout(bad), undefined, bad)
  }
})

test('grpcTimeoutMs: only gRPC calls, first value of the header', (t) => {
  const grpc = ['Host', 'a', 'Content-Type', 'application/grpc+proto', 'grpc-timeout', '250m']
  t.is(grpcTimeoutMs(request(grpc)), 250)
  t.is(grpcTimeoutMs(request([...grpc, 'grpc-timeout', '1m'])), 250)
  t.is(grpcTimeoutMs(request(['content-type', 'text/plain', 'grpc-timeout', '250m'])), undefined)
  t.is(grpcTimeoutMs(request(['content-type', 'application/grpc'])), undefined)
  t.is(grpcTimeoutMs(request(['content-type', 'application/grpc', 'grpc-timeout', 'x'])), undefined)
  const objectOnly = { method: 'POST', url: '/p.S/M', httpVersion: '2.0' }
  const headers = { 'content-type': 'application/grpc', 'grpc-timeout': '7S' }
  t.is(grpcTimeoutMs({ ...objectOnly, headers }), 7000)
})

test('isGrpc: content-type starting with application/grpc, any case', (t) => {
  t.true(isGrpc(request(['content-type', 'application/grpc'])))
  t.true(isGrpc(request(['Content-Type', 'Application/GRPC+json'])))
  t.false(isGrpc(request(['content-type', 'application/json'])))
  t.false(isGrpc(request(['Host', 'a'])))
})

test('grpcMessage: printable ASCII kept, % and the rest percent-encoded as UTF-8', (t) => {
  t.is(grpcMessage('no route: /svc/a b'), 'no route: /svc/a b')
  t.is(grpcMessage('100% done\nnext'), '100%25 done%0Anext')
  t.is(grpcMessage('café ☕'), 'caf%C3%A9 %E2%98%95')
  t.is(grpcMessage('x'.repeat(5000)).length, GRPC_MESSAGE_MAX)
  t.is(decodeURIComponent(grpcMessage('café\t%')), 'café\t%')
})
