import test from 'ava'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { eventually } from '../eventually.js'
import { TcpRelay } from './tcp-relay.js'

function echoServer(): Promise<Server> {
  const server = createServer((s) => s.pipe(s))
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

interface Conn {
  readonly socket: Socket
  received: string
  closed: boolean
}

function open(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const conn: Conn = { socket, received: '', closed: false }
    socket.on('data', (b) => (conn.received += b.toString()))
    socket.on('close', () => (conn.closed = true))
    socket.once('error', reject)
    socket.once('connect', () => resolve(conn))
  })
}

test('relays, cuts clients off while blocked, holds new connections silent, relays again', async (t) => {
  const server = await echoServer()
  const relay = await TcpRelay.start((server.address() as { port: number }).port)
  try {
    const a = await open(relay.port)
    a.socket.write('hello')
    await eventually('the echo', () => a.received === 'hello')

    relay.block()
    t.true(relay.isBlocked)
    await eventually('the relayed connection cut', () => a.closed)
    const held = await open(relay.port)
    held.socket.write('anyone?')

    relay.unblock()
    const b = await open(relay.port)
    b.socket.write('again')
    await eventually('the echo after unblock', () => b.received === 'again')
    t.is(held.received, '', 'a connection made while blocked is never answered')
    t.false(held.closed, 'and it stays open, like a hung server')
    for (const c of [held, b]) c.socket.destroy()
  } finally {
    await relay.close()
    await new Promise((r) => server.close(r))
  }
})
