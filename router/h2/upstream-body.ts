import type { ClientHttp2Stream } from 'node:http2'
import type { Readable } from 'node:stream'

/** What the body's sender needs from its exchange. */
export interface BodySource {
  /** The exchange is over (answered, failed or aborted): stop sending. */
  readonly done: boolean
  /** The whole body was handed to the stream (and the stream ended). */
  sent(): void
  /** The body failed (its client went away, say): the stream must be reset. */
  broken(err: Error): void
}

/**
 * Sends a streamed request body on `stream` with backpressure: the body pauses while the
 * stream's flow-control window and buffer are full, and resumes on 'drain'. The body stops
 * being read when the exchange ends first; a body that errors, or closes before its end,
 * breaks the exchange.
 */
export function pipeBody(x: BodySource, body: Readable, stream: ClientHttp2Stream): void {
  const onData = (chunk: Buffer | string): void => {
    if (x.done || stream.destroyed) return stop()
    if (!stream.write(chunk)) body.pause()
  }
  const onDrain = (): void => {
    body.resume()
  }
  const onEnd = (): void => {
    stop()
    if (x.done || stream.destroyed) return
    stream.end()
    x.sent()
  }
  const onError = (err: Error): void => {
    stop()
    x.broken(err)
  }
  const onClose = (): void => {
    if (!body.readableEnded) onError(new Error('the request body closed before its end'))
  }
  const stop = (): void => {
    body.removeListener('data', onData)
    body.removeListener('end', onEnd)
    body.removeListener('error', onError)
    body.removeListener('close', onClose)
    stream.removeListener('drain', onDrain)
  }
  body.on('data', onData)
  body.on('end', onEnd)
  body.on('error', onError)
  body.on('close', onClose)
  stream.on('drain', onDrain)
}
