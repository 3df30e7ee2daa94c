/**
 * `httpAccessLog`: one line per answered call, in linkerd's format (Apache-like):
 * `<Host> <remote> - - [<time>] "<METHOD> <uri> HTTP/<version>" <status> <content-length|->
 * "<Referer>" "<User-Agent>"`. The file is opened when the router starts, so a log that cannot
 * be written is a startup error naming it, not a silent loss.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs'
import { CodedError, errorMessage } from '../../../lib/errors.js'
import type { Call, RequestIn } from '../call.js'
import type { ResponseHandler } from '../handler.js'
import type { Service, Step } from '../service.js'

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** `dd/MM/yyyy:HH:mm:ss +0000` in UTC, the timestamp of linkerd's access log. */
export function accessLogTime(d: Date): string {
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
  return `${date}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

/** One access log line (see the file header); `remote` is the client's address. */
export function accessLogLine(
  req: RequestIn,
  status: number,
  contentLength: string | undefined,
  now: Date,
  remote = req.remoteAddress,
): string {
  const q = (v: string | string[] | undefined): string => (typeof v === 'string' ? v : '-')
  const request = `${req.method} ${req.url} HTTP/${req.httpVersion}`
  return (
    `${q(req.headers.host)} ${remote ?? '-'} - - [${accessLogTime(now)}] ` +
    `"${request}" ${status} ${contentLength ?? '-'} "${q(req.headers.referer)}" "${q(req.headers['user-agent'])}"\n`
  )
}

/** The access log file could not be opened for appending. */
export class AccessLogError extends CodedError {
  readonly code = 'ERR_ACCESS_LOG'
}

/** An append-only access log file; `close()` flushes and closes it. */
export class AccessLog {
  private readonly out: WriteStream
  private failed = false

  /** Opens (creates) `file` for appending now; throws AccessLogError if it cannot. */
  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    let fd: number
    try {
      fd = openSync(file, 'a')
    } catch (e) {
      throw new AccessLogError(`httpAccessLog: cannot open ${file}: ${errorMessage(e)}`)
    }
    this.out = createWriteStream(file, { fd, flags: 'a' })
    this.out.on('error', (e) => this.writeFailed(e))
  }

  write(line: string): void {
    if (!this.failed) this.out.write(line)
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve))
  }

  /** A write failed later (disk full, file system gone): said once, then lines are dropped. */
  private writeFailed(e: Error): void {
    if (this.failed) return
    this.failed = true
    this.warn(`httpAccessLog: cannot write ${this.file}: ${e.message}; access log lines dropped`)
    this.out.destroy()
  }
}

/** Logs every call to `log` once its answer is over. */
export function accessLog(log: AccessLog): Step {
  return (next: Service) =>
    function logged(call: Call, handler: ResponseHandler): void {
      next(call, new Logging(call, handler, log))
    }
}

class Logging implements ResponseHandler {
  private status = 0
  private contentLength: string | undefined
  /** Read at the start: when a cut answer is logged, the client's connection may be gone. */
  private readonly remote: string | undefined

  constructor(
    private readonly call: Call,
    private readonly inner: ResponseHandler,
    private readonly log: AccessLog,
  ) {
    this.remote = call.request.remoteAddress
  }

  onConnect(abort: (err: Error) => void): void {
    this.inner.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    this.status = status
    this.contentLength = contentLengthOf(fields)
    return this.inner.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData(chunk)
  }

  onComplete(trailers?: string[]): void {
    this.inner.onComplete(trailers)
    this.log.write(this.line())
  }

  onError(err: Error): void {
    this.inner.onError(err)
    if (this.status > 0) this.log.write(this.line())
  }

  private line(): string {
    const { call, status, contentLength, remote } = this
    return accessLogLine(call.request, status, contentLength, new Date(), remote)
  }
}

function contentLengthOf(fields: readonly string[]): string | undefined {
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string
    if (name.length === 14 && name.toLowerCase() === 'content-length') return fields[i + 1]
  }
  return undefined
}
