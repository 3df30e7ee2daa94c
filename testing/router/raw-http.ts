/**
 * Raw HTTP/1.1 over a real socket, for tests that need to send exactly the bytes they mean
 * (malformed framing, pipelining) and see exactly the bytes that come back.
 */
import type { ExecutionContext } from 'ava'
import { once } from 'node:events'
import { connect, createServer, type AddressInfo } from 'node:net'

/**
 * A raw TCP client collecting what it receives as latin1 text (one char per byte); `until(f)`
 * resolves with that text once `f` holds of it, and rejects if the socket closes or 5 s pass first.
 */
export async function rawClient(t: ExecutionContext, port: number) {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  t.teardown(() => socket.destroy())
  let text = ''
  const waiters = new Set<() => void>()
  const wake = (): void => waiters.forEach((w) => w())
  socket.setEncoding('latin1').on('error', () => {})
  socket.on('data', (d: string) => ((text += d), wake()))
  const closed = new Promise<void>((r) => socket.once('close', () => (r(), wake())))
  const until = (f: (s: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const fail = (why: string): void => reject(new Error(`${why} after ${JSON.stringify(text)}`))
      const timer = setTimeout(() => (waiters.delete(check), fail('timed out')), 5000)
      const check = (): void => {
        if (!f(text) && !socket.destroyed) return
        clearTimeout(timer)
        waiters.delete(check)
        if (f(text)) resolve(text)
        else fail('closed')
      }
      waiters.add(check)
      check()
    })
  return { socket, text: () => text, closed, until }
}

export type RawResponse = { status: number; headers: Record<string, string>; body: string }

/** The complete responses at the start of `s` (a close-delimited body runs to the end of `s`). */
export function parseResponses(s: string): RawResponse[] {
  const out: RawResponse[] = []
  for (let i = 0; ;) {
    const end = s.indexOf('\r\n\r\n', i)
    if (end < 0) return out
    const [line, ...fields] = s.slice(i, end).split('\r\n')
    const status = Number(line?.split(' ')[1])
    const headers: Record<string, string> = {}
    for (const f of fields)
      headers[f.slice(0, f.indexOf(':')).toLowerCase()] = f.replace(/^[^:]*:\s*/, '')
    let p = end + 4
    let body = ''
    const length = headers['content-length']
    if (status < 200 || status === 204 || status === 304) {
      // no body
    } else if (length !== undefined) {
      if (s.length < p + Number(length)) return out
      body = s.slice(p, (p += Number(length)))
    } else if (headers['transfer-encoding'] === 'chunked') {
      for (let n = -1; n !== 0; p += n + 2) {
        const e = s.indexOf('\r\n', p)
        n = parseInt(s.slice(p, e), 16)
        if (e < 0 || !(n >= 0) || s.length < e + 4 + n) return out
        body += s.slice((p = e + 2), e + 2 + n)
      }
    } else body = s.slice(p, (p = s.length))
    out.push({ status, headers, body })
    i = p
  }
}

/** What a backend connection received, and whether it is closed. */
export interface BackendConn {
  data: string
  closed: boolean
}

/**
 * A backend on a raw socket that answers `200 ok` (keep-alive) to each request head: GETs at
 * once, POSTs at once too when `early` (without reading their body), else never.
 */
export async function rawBackend(
  t: ExecutionContext,
  early = false,
): Promise<{ port: number; conns: BackendConn[] }> {
  const conns: BackendConn[] = []
  const server = createServer((s) => {
    const c: BackendConn = { data: '', closed: false }
    conns.push(c)
    let answered = 0
    s.setEncoding('latin1').on('error', () => undefined)
    s.on('data', (d: string) => {
      c.data += d
      const heads = c.data.match(/^(GET|POST) [^\r]*\r\n/gm) ?? []
      for (; answered < heads.length; answered++) {
        if (heads[answered]?.startsWith('POST') === true && !early) continue
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
      }
    })
    s.on('close', () => (c.closed = true))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  return { port: (server.address() as AddressInfo).port, conns }
}

/** The head of a chunked POST whose body the tests then send piece by piece. */
export const chunkedHead = (host = 'web'): string =>
  `POST /upload HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n`

/** A chunk that is fine, then one of the bad ones: the head is upstream when the error shows. */
export const BAD_CHUNKS: Record<string, string> = {
  'size zz': 'zz\r\nabc\r\n',
  'size -3': '-3\r\nabc\r\n',
  'size 0x3': '0x3\r\nabc\r\n',
  'size "3 "': '3 \r\nabc\r\n',
  'size FFFFFFFFFFFFFFFFFF': 'FFFFFFFFFFFFFFFFFF\r\nabc\r\n',
  'no CRLF after chunk data': '3\r\nabcXX',
}

/** The next request goes through on a fresh backend connection: the old one was not reused. */
export async function nextUsesFreshConnection(
  t: ExecutionContext,
  port: number,
  conns: BackendConn[],
  host = 'web',
): Promise<void> {
  const before = conns.length
  const next = await rawClient(t, port)
  next.socket.write(`GET /next HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
  const text = await next.until((s) => parseResponses(s).length === 1)
  t.like(parseResponses(text), [{ status: 200, body: 'ok' }])
  t.is(conns.length, before + 1, 'a new backend connection')
  t.regex(conns[before]?.data ?? '', /^GET \/next /)
}
