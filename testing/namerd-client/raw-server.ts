/**
 * Test helpers for namerd watch clients: a raw node:http server that counts requests and sees
 * its sockets close, and a `NamerdWatch` that records everything it reports.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import {
  NamerdWatch,
  type NamerdError,
  type NamerdWatchOptions,
  type WatchState,
} from '../../lib/namerd-client/index.js'

/** A listening test server; `close()` also destroys the connections it still holds. */
export interface RawServer {
  readonly port: number
  /** `http://127.0.0.1:<port><path>`. */
  url(path?: string): string
  /** Requests received so far. */
  requests(): number
  /** Connections still open on the server's side. */
  openSockets(): number
  close(): Promise<void>
}

/** What the `n`-th request (1, 2, …) gets; the handler may leave the response open. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, n: number) => void

/** Listens on 127.0.0.1:`port` (0: a free one). */
export async function rawServer(handle: RawHandler, port = 0): Promise<RawServer> {
  const sockets = new Set<Socket>()
  let requests = 0
  const server = createServer((req, res) => handle(req, res, ++requests))
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const bound = (server.address() as { port: number }).port
  return {
    port: bound,
    url: (path = '/api/1/dtabs/default?watch=true') => `http://127.0.0.1:${bound}${path}`,
    requests: () => requests,
    openSockets: () => sockets.size,
    close() {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Writes `text` to `res` in pieces of the given byte sizes (cycled), `gapMs` apart, so that they
 * reach the client as separate chunks; stops if the response is closed.
 */
export async function writeInPieces(
  res: ServerResponse,
  text: string,
  sizes: readonly number[],
  gapMs = 2,
): Promise<void> {
  const bytes = Buffer.from(text)
  for (let at = 0, i = 0; at < bytes.length && !res.destroyed; i++) {
    const size = sizes[i % sizes.length] ?? 1
    res.write(bytes.subarray(at, at + size))
    at += size
    await new Promise((resolve) => setTimeout(resolve, gapMs))
  }
}

/** A watch and everything it has reported so far. */
export interface Recorded {
  readonly watch: NamerdWatch
  readonly values: unknown[]
  readonly errors: NamerdError[]
  readonly states: WatchState[]
}

/** A `NamerdWatch` with fast retries by default, closed by `t.teardown`. */
export function recordWatch(
  t: { teardown(fn: () => void): void },
  options: Partial<NamerdWatchOptions> & Pick<NamerdWatchOptions, 'url'>,
): Recorded {
  const values: unknown[] = []
  const errors: NamerdError[] = []
  const states: WatchState[] = []
  const watch = new NamerdWatch({
    retry: { baseMs: 10, maxMs: 50 },
    onValue: (doc) => values.push(doc),
    onError: (e) => errors.push(e),
    onState: (s) => states.push(s),
    ...options,
  })
  t.teardown(() => watch.close())
  return { watch, values, errors, states }
}
