/**
 * Raw HTTP/1.1 over a real socket, for tests that need to send exactly the bytes they mean
 * (malformed framing, pipelining) and see exactly the bytes that come back.
 */
import type { ExecutionContext } from 'ava'
import { once } from 'node:events'
import { connect } from 'node:net'

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
