import type { Readable } from 'node:stream'
import type { Socket } from 'node:net'
import type { Exchange } from './exchange.js'

/**
 * Streams the request body onto the socket with backpressure (the body pauses while the socket
 * is full), chunk-framed when `chunked`. Stops when the exchange ends first (the upstream
 * answered early, or failed); the connection is then not reused.
 */
export function sendBody(x: Exchange, socket: Socket, chunked: boolean): void {
  const body = x.request.body as Readable // a Buffer body is written whole by the connection
  const onData = (chunk: Buffer | string): void => {
    if (x.done || socket.destroyed) return stop()
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (b.length === 0) return
    let ok: boolean
    if (chunked) {
      socket.cork()
      socket.write(`${b.length.toString(16)}\r\n`, 'latin1')
      socket.write(b)
      ok = socket.write('\r\n', 'latin1')
      socket.uncork()
    } else ok = socket.write(b)
    if (!ok) {
      body.pause()
      socket.once('drain', () => body.resume())
    }
  }
  const onEnd = (): void => {
    stop()
    if (socket.destroyed) return
    if (chunked) socket.write('0\r\n\r\n', 'latin1')
    x.bodyWritten = true
  }
  const stop = (): void => {
    body.removeListener('data', onData)
    body.removeListener('end', onEnd)
  }
  body.on('data', onData)
  body.on('end', onEnd)
}
