import { createWriteStream, type WriteStream } from 'node:fs'
import type { InboundRequest } from './h1/inbound.js'
import type { OutboundResponse } from './h1/outbound.js'

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** `dd/MM/yyyy:HH:mm:ss +0000` in UTC, the timestamp of linkerd's access log. */
export function accessLogTime(d: Date): string {
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
  return `${date}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

/**
 * linkerd's access log line (Apache-like): `<Host> <remote> - - [<time>] "<METHOD> <uri>
 * HTTP/<version>" <status> <content-length|-> "<Referer>" "<User-Agent>"`.
 */
export function accessLogLine(req: InboundRequest, res: OutboundResponse, now: Date): string {
  const q = (v: string | string[] | undefined): string => (typeof v === 'string' ? v : '-')
  const request = `${req.method} ${req.url} HTTP/${req.httpVersion}`
  return (
    `${q(req.headers.host)} ${req.remoteAddress ?? '-'} - - [${accessLogTime(now)}] ` +
    `"${request}" ${res.statusCode} ${res.contentLength ?? '-'} "${q(req.headers.referer)}" "${q(req.headers['user-agent'])}"\n`
  )
}

/** An append-only access log file (`httpAccessLog`); written asynchronously, closed with the router. */
export class AccessLog {
  private readonly out: WriteStream

  constructor(file: string) {
    this.out = createWriteStream(file, { flags: 'a' })
    this.out.on('error', () => undefined)
  }

  /** One line for a response that is over. */
  write(req: InboundRequest, res: OutboundResponse): void {
    this.out.write(accessLogLine(req, res, new Date()))
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve))
  }
}
