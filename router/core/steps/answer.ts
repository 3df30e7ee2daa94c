/**
 * The answers clients see (linkerd's ErrorResponder and Via handling): every response gets this
 * router's `Via` entry and, from an untrusted edge (`clearContext`), loses its `l5d-*` headers;
 * a call that fails before its response started is answered with the status of its error code,
 * `l5d-err` (the message, form-encoded) and the message as a text/plain body (no detail with
 * `clearContext`). A failure after the response started can only cut it short. Anything that is
 * not a RouterError answers 502.
 *
 * A gRPC request (`content-type: application/grpc…`) is answered as gRPC clients understand:
 * HTTP 200, `content-type: application/grpc`, the error's gRPC status (`grpcStatusOf`) and
 * `grpc-message`, `l5d-err`, and no body (a "trailers-only" answer). An HTTP/2 endpoint's reset
 * (RST_STREAM) before any answer is passed on as a reset with its code, not answered, as linkerd
 * does: the client sees what the endpoint did.
 */
import { errorMessage } from '../../../lib/errors.js'
import { grpcStatusOf, RouterError, statusOf } from '../../errors.js'
import { NAMING_FAILURES, type AdminLink } from '../admin-link.js'
import type { Call } from '../call.js'
import { ClientClosedError, failureName } from '../failures.js'
import { grpcAnswerFields, isGrpc } from '../grpc.js'
import { StreamResetError, type ResponseHandler } from '../handler.js'
import { encodeErrHeader, responseHeaders } from '../headers.js'
import type { Service, Step } from '../service.js'

/**
 * See the file header. Synchronous throws of the steps inside become failures too. With
 * `link`, a naming failure's body ends with the admin playground's link for the call.
 */
export const answer =
  (label: string, link?: AdminLink): Step =>
  (next: Service) =>
    function answered(call: Call, handler: ResponseHandler): void {
      const answering = new Answering(call, handler, label, link)
      try {
        next(call, answering)
      } catch (e) {
        answering.onError(e instanceof Error ? e : new Error(String(e)))
      }
    }

class Answering implements ResponseHandler {
  private started = false
  private over = false

  constructor(
    private readonly call: Call,
    private readonly inner: ResponseHandler,
    private readonly label: string,
    private readonly link: AdminLink | undefined,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.inner.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    if (this.over) return false
    this.started = true
    const { via, server } = this.call
    return this.inner.onHeaders(status, responseHeaders(fields, via, server.clearContext), resume)
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData(chunk)
  }

  onComplete(trailers?: string[]): void {
    if (this.over) return
    this.over = true
    this.inner.onComplete(trailers)
  }

  onError(err: Error): void {
    if (this.over) return
    this.over = true
    this.call.failure ??= failureName(err)
    if (this.started || err instanceof ClientClosedError) return this.inner.onError(err)
    const reset = endpointReset(err, this.call)
    if (reset !== undefined) return this.inner.onError(reset)
    const { status, headers, body } = errorAnswer(err, this.call, this.seeAlso(err))
    this.inner.onHeaders(status, headers, noop)
    if (body.length > 0) this.inner.onData(body)
    this.inner.onComplete()
  }

  /** For a naming failure, where its delegation can be seen (the admin's playground). */
  private seeAlso(err: Error): string | undefined {
    if (this.link === undefined || !(err instanceof RouterError)) return undefined
    if (!NAMING_FAILURES.has(err.code)) return undefined
    const url = this.link.playground(this.label, this.call.name, this.call.local.shown)
    return url === undefined ? undefined : `how ${this.call.name} delegates: ${url}`
  }
}

/** The endpoint's RST_STREAM behind `err`, when an HTTP/2 request's stream is to be reset too. */
function endpointReset(err: Error, call: Call): StreamResetError | undefined {
  if (call.request.httpVersion !== '2.0') return undefined
  if (err instanceof StreamResetError) return err
  return err.cause instanceof StreamResetError ? err.cause : undefined
}

/**
 * The status, headers and body that answer `err` (see the file header); `seeAlso`, a line
 * added to the body (not to `l5d-err`).
 */
export function errorAnswer(
  err: unknown,
  call: Pick<Call, 'via' | 'server' | 'request'>,
  seeAlso?: string,
): { status: number; headers: string[]; body: Buffer } {
  const routerError = err instanceof RouterError ? err : undefined
  if (isGrpc(call.request)) return grpcAnswer(err, routerError, call)
  const status = routerError === undefined ? 502 : statusOf(routerError.code)
  const message = errorMessage(err)
  const clear = call.server.clearContext
  const body = Buffer.from(
    clear ? '' : seeAlso === undefined ? message : `${message}\n${seeAlso}\n`,
  )
  const headers = ['content-type', 'text/plain; charset=utf-8', 'via', call.via]
  headers.push('content-length', String(body.length))
  if (!clear) pushDetail(headers, message, routerError)
  return { status, headers, body }
}

/** `l5d-err`, and `l5d-retryable` when the request was never sent (not with `clearContext`). */
function pushDetail(headers: string[], message: string, routerError: RouterError | undefined) {
  headers.push('l5d-err', encodeErrHeader(message))
  pushRetryable(headers, routerError)
}

function pushRetryable(headers: string[], routerError: RouterError | undefined): void {
  if (routerError?.retryable === true) headers.push('l5d-retryable', 'true')
}

/** A trailers-only gRPC answer: status 200 and the gRPC status in the headers, no body. */
function grpcAnswer(
  err: unknown,
  routerError: RouterError | undefined,
  call: Pick<Call, 'via' | 'server'>,
): { status: number; headers: string[]; body: Buffer } {
  const clear = call.server.clearContext
  const status = grpcStatusOf(routerError?.code)
  const headers = grpcAnswerFields(status, clear ? undefined : errorMessage(err))
  headers.push('via', call.via, 'content-length', '0')
  if (!clear) pushRetryable(headers, routerError)
  return { status: 200, headers, body: EMPTY }
}

const EMPTY = Buffer.alloc(0)

function noop(): void {}
