import type { Readable } from 'node:stream'
import type { Socket } from 'node:net'
import type { Exchange } from './exchange.js'

/**
 * Writes the request body onto the socket, chunk-framed when `chunked`: a buffer (a body kept
 * for retries) at once, a stream with backpressure (the body pauses while the socket is full).
 * A stream stops when the exchange ends first (the upstream answered early, or failed); the
 * connection is then not reused.
 */
export function sendBody(x: Exchange, socket: Socket, chunked: boolean): void {
  const body = x.request.body as Readable | Buffer
  if (Buffer.isBuffer(body)) {
    writePiece(socket, body, chunked)
    if (chunked) socket.write('0\r\n\r\n', 'latin1')
    x.bodyWritten = true
    return
  }
  const onData = (chunk: Buffer | string): void => {
    if (x.done || socket.destroyed) return stop()
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (b.length === 0) return
    if (!writePiece(socket, b, chunked)) {
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

/** Writes one piece of a body (as one chunk when `chunked`); false when the socket is full. */
function writePiece(socket: Socket, b: Buffer, chunked: boolean): boolean {
  if (!chunked) return socket.write(b)
  socket.cork()
  socket.write(`${b.length.toString(16)}\r\n`, 'latin1')
  socket.write(b)
  const ok = socket.write('\r\n', 'latin1')
  socket.uncork()
  return ok
}
