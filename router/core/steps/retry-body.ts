/**
 * Keeping a request's body for a retry: a body whose `content-length` is at most
 * `requestBytes` (`service.retryBufferSize`) is read whole before the first attempt and sent
 * as one buffer each time; an HTTP/2 body is sent at once while a copy is kept (request-tee.ts:
 * a gRPC stream must not wait for its request to end); a longer or chunked HTTP/1.1 body is
 * streamed once and cannot be retried (a request that could not connect is still requeued:
 * nothing of it was read).
 */
import type { Readable } from 'node:stream'
import type { Call } from '../call.js'
import type { ResponseHandler } from '../handler.js'
import { RequestTee } from './request-tee.js'

/** The body of a call's attempts: whether the next one can have it, and what to send then. */
export interface KeptBody {
  /** Whether the body can be sent again now (all of it so far was kept). */
  readonly replayable: boolean
  /** The body for the next attempt (only when `replayable`). */
  next(): Readable | Buffer | null
  /** No attempt will follow (the client has its answer): what was kept can go. */
  forget?(): void
}

/** A body sent the same each time (none, or kept whole), or one that cannot be sent again. */
function fixed(call: Call, replayable: boolean): KeptBody {
  return { replayable, next: () => call.body }
}

/**
 * Sets `call.body`, then calls `attempts.start(body)`: at once for a request without a body,
 * an HTTP/2 one or one too long to keep, after the whole body arrived otherwise. While it is
 * read, the call's abort (client gone, deadline) ends the wait with that error.
 */
export function keepBody(
  call: Call,
  handler: ResponseHandler,
  requestBytes: number,
  attempts: { start(body: KeptBody): void },
): void {
  const { inbound, request } = call
  if (!inbound.hasBody) return attempts.start(fixed(call, true))
  if (request.bodyFollows === true && inbound.bodyLength <= requestBytes) {
    const tee = new RequestTee(request.body, requestBytes)
    call.body = tee.first()
    return attempts.start(tee)
  }
  if (inbound.bodyLength < 0 || inbound.bodyLength > requestBytes) {
    call.body = request.body
    return attempts.start(fixed(call, false))
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
    attempts.start(fixed(call, true))
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
