/**
 * Admission: a server with `maxConcurrentRequests` refuses a call beyond that many in flight
 * with 503 at once (`ERR_OVERLOADED`; linkerd's semaphore has no queue). The refusal is counted
 * in the server's stats like any answer. Servers without a limit pay nothing.
 */
import { RouterError } from '../../errors.js'
import type { ServerContext } from '../call.js'
import type { ResponseHandler } from '../handler.js'
import { resume, type Service, type Step } from '../service.js'

export const admit: Step = (next: Service) =>
  function admitted(call, handler): void {
    const server = call.server
    const limit = server.maxConcurrentRequests
    if (limit === undefined) return next(call, handler)
    if (server.active >= limit) throw overloaded(limit)
    server.active++
    resume(next, call, new Admitted(server, handler))
  }

function overloaded(limit: number): RouterError {
  return new RouterError(
    'ERR_OVERLOADED',
    `Too many concurrent requests (limit ${limit}): request rejected`,
  )
}

/** Gives the call's place back when its answer is over. */
class Admitted implements ResponseHandler {
  private over = false

  constructor(
    private readonly server: ServerContext,
    private readonly inner: ResponseHandler,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.inner.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    return this.inner.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData(chunk)
  }

  onComplete(trailers?: string[]): void {
    this.release()
    this.inner.onComplete(trailers)
  }

  onError(err: Error): void {
    this.release()
    this.inner.onError(err)
  }

  private release(): void {
    if (this.over) return
    this.over = true
    this.server.active--
  }
}
