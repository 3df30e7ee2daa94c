/**
 * Keeping a request's body for a retry: a body whose `content-length` is at most
 * `requestBytes` (`service.retryBufferSize`) is read whole before the first attempt and sent
 * as one buffer each time; a longer or chunked body is streamed once and cannot be retried
 * (a request that could not connect is still requeued: nothing of it was read).
 */
import type { Call } from '../call.js'
import type { ResponseHandler } from '../handler.js'

/**
 * Sets `call.body`, then calls `attempts.start(replayable)`: at once for a request without a body or
 * with one too long to keep, after the whole body arrived otherwise. While it is read, the
 * call's abort (client gone, deadline) ends the wait with that error.
 */
export function keepBody(
  call: Call,
  handler: ResponseHandler,
  requestBytes: number,
  attempts: { start(replayable: boolean): void },
): void {
  const { inbound, request } = call
  if (!inbound.hasBody) return attempts.start(true)
  if (inbound.bodyLength < 0 || inbound.bodyLength > requestBytes) {
    call.body = request.body
    return attempts.start(false)
  }
  const body = request.body
  const chunks: Buffer[] = []
  const onData = (chunk: Buffer | string): number =>
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  const stop = (): void => {
    body.off('data', onData).off('end', onEnd).off('error', onError)
  }
  const onEnd = (): void => {
    stop()
    call.body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
    attempts.start(true)
  }
  const onError = (err: Error): void => {
    stop()
    handler.onError(err)
  }
  body.on('data', onData).on('end', onEnd).on('error', onError)
  handler.onConnect((err) => {
    stop()
    handler.onError(err)
  })
}
