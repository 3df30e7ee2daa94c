/**
 * Small HTTP servers for the tests: a transparent proxy in front of namerd that makes two
 * clients read the same version (a barrier on the first reads of one dtab), and a fake namerd
 * answering whatever a test wants (statuses namerd will not give on demand, a server that never
 * answers, the request paths namerctl uses).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Cleanups } from './setup.js'

/** One request seen: `METHOD /path?query`, and the status namerd answered (proxy only). */
export interface Seen {
  readonly request: string
  /** The request's If-Match header, if any. */
  readonly ifMatch: string | undefined
  readonly accept: string | undefined
  readonly contentType: string | undefined
  readonly body: string
  status?: number
}

export interface Served {
  readonly base: string
  readonly log: Seen[]
}

async function listen(
  cleanups: Cleanups,
  handle: (req: IncomingMessage, res: ServerResponse, body: string, seen: Seen) => unknown,
): Promise<Served> {
  const log: Served['log'] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (b: Buffer) => (body += b.toString()))
    req.on('end', () => {
      const ifMatch = req.headers['if-match']
      const seen: Seen = {
        request: `${req.method} ${req.url}`,
        ifMatch,
        accept: req.headers.accept,
        contentType: req.headers['content-type'],
        body,
      }
      log.push(seen)
      void Promise.resolve(handle(req, res, body, seen)).catch((e: unknown) =>
        res.destroy(e as Error),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanups.add(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  )
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log }
}

/**
 * A proxy to `target` that holds the answers of the first `count` GETs of `/api/1/dtabs/<ns>`
 * until all `count` have been read from namerd: every client among them reads the same version
 * before any of them can write. Other requests pass straight through.
 */
export function barrierProxy(
  cleanups: Cleanups,
  target: string,
  ns: string,
  count = 2,
): Promise<Served> {
  let arrived = 0
  let open: () => void = () => undefined
  const barrier = new Promise<void>((r) => (open = r))
  const guard = setTimeout(open, 20_000)
  cleanups.add(() => clearTimeout(guard))
  const handle = async (req: IncomingMessage, res: ServerResponse, body: string, seen: Seen) => {
    const headers: Record<string, string> = {}
    for (const h of ['accept', 'content-type', 'if-match'])
      if (typeof req.headers[h] === 'string') headers[h] = req.headers[h]
    const method = req.method ?? 'GET'
    const r = await fetch(`${target}${req.url ?? '/'}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    })
    const text = await r.text()
    seen.status = r.status
    const held = method === 'GET' && req.url === `/api/1/dtabs/${ns}` && arrived < count
    if (held && ++arrived === count) open()
    if (held) await barrier
    const out: Record<string, string> = {}
    for (const h of ['etag', 'content-type']) {
      const v = r.headers.get(h)
      if (v !== null) out[h] = v
    }
    res.writeHead(r.status, out).end(text)
  }
  return listen(cleanups, handle)
}

/** A transparent proxy to `target` that only records the requests (and namerd's statuses). */
export function recordingProxy(cleanups: Cleanups, target: string): Promise<Served> {
  return barrierProxy(cleanups, target, '', 0)
}

/** The writes (POST, PUT, DELETE) among the requests seen. */
export function writes(s: Served): string[] {
  return s.log.map((e) => e.request).filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '))
}

/** A fake namerd's answer: `open` writes the body and leaves the response open (a stream). */
export interface FakeAnswer {
  readonly status: number
  readonly body?: string
  readonly headers?: Record<string, string>
  readonly open?: boolean
}

/** A fake namerd: `answer` gives each request's answer, or 'hang' (never answers). */
export function fakeNamerd(
  cleanups: Cleanups,
  answer: (req: IncomingMessage, seen: number) => FakeAnswer | 'hang',
): Promise<Served> {
  let seen = 0
  return listen(cleanups, (req, res) => {
    const a = answer(req, seen++)
    if (a === 'hang') return
    res.writeHead(a.status, a.headers ?? {})
    if (a.open === true) res.write(a.body ?? '')
    else res.end(a.body ?? '')
  })
}
