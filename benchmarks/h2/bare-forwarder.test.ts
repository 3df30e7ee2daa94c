import test from 'ava'
import { connect, type ClientHttp2Session } from 'node:http2'
import { setTimeout as sleep } from 'node:timers/promises'
import { stop } from '../proxy/procs.js'
import { heldStreams, startBackend, startBareForwarder } from './targets.js'

interface Answer {
  readonly status: unknown
  readonly bytes: number
  readonly grpcStatus: unknown
}

function get(session: ClientHttp2Session, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ':authority': 'bench' })
    let status: unknown
    let bytes = 0
    let grpcStatus: unknown
    stream.on('response', (h) => (status = h[':status']))
    stream.on('data', (d: Buffer) => (bytes += d.length))
    stream.on('trailers', (t) => (grpcStatus = t['grpc-status']))
    stream.on('end', () => resolve({ status, bytes, grpcStatus }))
    stream.on('error', reject)
  })
}

test('the bare forwarder passes bodies and trailers, and a client reset reaches the backend', async (t) => {
  const backend = await startBackend('h2c', true)
  const forwarder = await startBareForwarder(backend.port)
  const session = connect(`http://127.0.0.1:${forwarder.port}`)
  try {
    t.deepEqual(await get(session, '/'), { status: 200, bytes: 100, grpcStatus: '0' })
    t.deepEqual(await get(session, '/16k'), { status: 200, bytes: 16_384, grpcStatus: '0' })
    const held = session.request({ ':path': '/hold', ':authority': 'bench' })
    held.on('error', () => {})
    await new Promise((resolve) => held.once('response', resolve))
    t.is(await heldStreams(backend), 1)
    held.close()
    let left = 1
    for (let i = 0; i < 100 && left > 0; i++) {
      await sleep(50)
      left = await heldStreams(backend)
    }
    t.is(left, 0)
  } finally {
    session.destroy()
    await stop(forwarder)
    await stop(backend)
  }
})
