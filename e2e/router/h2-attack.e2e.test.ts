// Attacks on the HTTP/2 router (issue 16) that take the whole process down: the real router
// program, a real node:http2 endpoint and client.
import test from 'ava'
import { writeFileSync } from 'node:fs'
import { connect, createServer, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { startRouter, tempDir } from '../../testing/router/process.js'
import { answerOf } from '../../testing/router/h2.js'

/**
 * A gRPC endpoint failing every call UNAVAILABLE (retryable) once it has its first message,
 * unless that message is `ok`.
 */
async function unavailableEndpoint(t: { teardown(f: () => void): void }): Promise<number> {
  const server = createServer()
  server.on('session', (s) => s.on('error', () => undefined))
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.on('error', () => undefined)
    stream.once('data', (first: Buffer) => {
      const status = first.toString() === 'ok' ? '0' : '14'
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc' },
        { waitForTrailers: true },
      )
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': status }))
      stream.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  return (server.address() as AddressInfo).port
}

test('a client resetting its stream while the call waits to be retried does not crash the router', async (t) => {
  const port = await unavailableEndpoint(t)
  const dir = tempDir(t)
  writeFileSync(join(dir, 'pkg.Svc'), `127.0.0.1 ${port}\n`)
  const router = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: dir }],
    routers: [
      {
        protocol: 'h2',
        dtab: '/svc => /#/io.l5d.fs',
        identifier: { kind: 'io.l5d.header.path', segments: 1 },
        service: {
          responseClassifier: { kind: 'io.l5d.h2.grpc.alwaysRetryable' },
          retries: { backoff: { kind: 'constant', ms: 1000 } },
        },
      },
    ],
  })
  const session = connect(`http://127.0.0.1:${router.port}`)
  session.on('error', () => undefined)
  t.teardown(() => session.destroy())
  const call = { ':path': '/pkg.Svc/Get', ':method': 'POST', 'content-type': 'application/grpc' }
  const stream = session.request(call)
  stream.on('error', () => undefined)
  stream.write('first message')
  // The first attempt failed UNAVAILABLE; its retry waits out the backoff: the client gives up
  // with an error code of its own (not CANCEL).
  await new Promise((resolve) => setTimeout(resolve, 300))
  stream.close(2 /* INTERNAL_ERROR */)
  await answerOf(stream)
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.is(router.child.exitCode, null, `the router exited:\n${router.output()}`)
  const next = session.request(call)
  next.end('ok')
  const answer = await answerOf(next)
  t.is(answer.status, 200, 'the router still answers')
})
