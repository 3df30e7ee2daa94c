/**
 * A controllable HTTP/1.1 backend for resilience tests and benchmarks, in-process. Its behaviour
 * (`Mode`) can be changed at any time:
 *
 * - `ok`: 200, body = the backend's name (header `x-backend` too);
 * - `refuse`: stops listening and drops its connections (connections are refused), as a dead
 *   process; any other mode listens again on the same port;
 * - `reset`: accepts, then resets (TCP RST) every connection at once, before any byte; open
 *   connections are reset when the mode is set;
 * - `delay`: answers as `ok` after `ms` milliseconds;
 * - `fail`: answers `status` (default 503) to a share of requests: every `every`-th request
 *   (deterministic), else a random `fraction` (default 1, all); `retryable` adds
 *   `l5d-retryable: true` to those answers; the others are answered as `ok`.
 *
 * Request bodies are read and discarded; an answer is sent only once the whole body arrived.
 * Counters: requests received, by method, and answers by status. Idle keep-alive connections are
 * kept 65 s, longer than any client here keeps them, so that a backend closing one is never the
 * cause of a failure being measured. For a backend that can be SIGKILLed, see `process.ts`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What the backend does with the next connection or request. */
export type Mode =
  | { readonly kind: 'ok' }
  | { readonly kind: 'refuse' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'delay'; readonly ms: number }
  | {
      readonly kind: 'fail'
      readonly status?: number
      readonly fraction?: number
      readonly every?: number
      readonly retryable?: boolean
    }

/** What the backend saw since it started (or since `resetCounts`). */
export interface Counts {
  /** Requests whose head arrived (answered or not). */
  readonly requests: number
  readonly byMethod: Readonly<Record<string, number>>
  /** Answers sent, by status code. */
  readonly byStatus: Readonly<Record<string, number>>
  /** Connections reset by the `reset` mode. */
  readonly resets: number
}

export interface BackendOptions {
  /** Named in `ok` answers (default: `backend-<port>`). */
  readonly name?: string
  /** Port on 127.0.0.1 (default: one the kernel chooses). */
  readonly port?: number
  readonly mode?: Mode
}

interface MutableCounts {
  requests: number
  byMethod: Record<string, number>
  byStatus: Record<string, number>
  resets: number
}

const fresh = (): MutableCounts => ({ requests: 0, byMethod: {}, byStatus: {}, resets: 0 })

/** A backend on 127.0.0.1; `close()` it when done. */
export class ControllableBackend {
  #mode: Mode = { kind: 'ok' }
  #counts = fresh()
  /** Requests seen in the current `fail` mode (for `every`). */
  #failSeq = 0
  readonly #sockets = new Set<Socket>()
  readonly #server: Server

  private constructor(
    readonly port: number,
    readonly name: string,
    server: Server,
  ) {
    this.#server = server
  }

  /** Starts listening (unless the mode is `refuse`) and resolves once it does. */
  static async start(options: BackendOptions = {}): Promise<ControllableBackend> {
    const server = createServer({ keepAliveTimeout: 65_000 })
    const port = await listen(server, options.port ?? 0)
    const backend = new ControllableBackend(port, options.name ?? `backend-${port}`, server)
    server.on('connection', (s: Socket) => backend.#accept(s))
    server.on('request', (req, res) => backend.#answer(req, res))
    await backend.setMode(options.mode ?? { kind: 'ok' })
    return backend
  }

  get mode(): Mode {
    return this.#mode
  }

  /** A copy of the counters. */
  counts(): Counts {
    const c = this.#counts
    return { ...c, byMethod: { ...c.byMethod }, byStatus: { ...c.byStatus } }
  }

  resetCounts(): void {
    this.#counts = fresh()
  }

  /** Switches mode; resolves once listening (or not) matches it. */
  async setMode(mode: Mode): Promise<void> {
    const wasRefusing = this.#mode.kind === 'refuse'
    this.#mode = mode
    this.#failSeq = 0
    if (mode.kind === 'reset') for (const s of this.#sockets) this.#reset(s)
    if (mode.kind === 'refuse' && !wasRefusing) await this.#unlisten()
    if (mode.kind !== 'refuse' && wasRefusing) await listen(this.#server, this.port)
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    if (this.#mode.kind !== 'refuse') await this.#unlisten()
    this.#mode = { kind: 'refuse' }
  }

  async #unlisten(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    for (const s of this.#sockets) s.destroy()
    await closed
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
    if (this.#mode.kind === 'reset') this.#reset(socket)
  }

  #reset(socket: Socket): void {
    this.#counts.resets++
    socket.resetAndDestroy()
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const c = this.#counts
    const method = req.method ?? ''
    c.requests++
    c.byMethod[method] = (c.byMethod[method] ?? 0) + 1
    const mode = this.#mode
    req.resume()
    req.once('end', () => {
      if (mode.kind === 'delay') {
        const timer = setTimeout(() => this.#send(res, 200), mode.ms)
        res.once('close', () => clearTimeout(timer))
      } else if (mode.kind === 'fail' && this.#failsNext(mode)) {
        this.#send(res, mode.status ?? 503, mode.retryable === true)
      } else this.#send(res, 200)
    })
  }

  #failsNext(mode: Extract<Mode, { kind: 'fail' }>): boolean {
    this.#failSeq++
    if (mode.every !== undefined) return this.#failSeq % mode.every === 0
    return Math.random() < (mode.fraction ?? 1)
  }

  #send(res: ServerResponse, status: number, retryable = false): void {
    if (res.destroyed) return
    this.#counts.byStatus[status] = (this.#counts.byStatus[status] ?? 0) + 1
    const body = status === 200 ? this.name : `${this.name}: ${status}`
    const headers: Record<string, string> = { 'content-type': 'text/plain', 'x-backend': this.name }
    if (retryable) headers['l5d-retryable'] = 'true'
    res.writeHead(status, headers)
    res.end(body)
  }
}

/** Listens on 127.0.0.1:`port`; the port bound. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}
