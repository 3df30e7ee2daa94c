/**
 * Load for a fleet router: `concurrency` keep-alive connections, each sending one request after
 * the other, counting the answers per version (a backend answers its name) and the failures (a
 * status other than 200, or a network error). `start`/`stop` run it in the background (during a
 * shift or a fault); `measure(n)` sends exactly n requests and counts them apart.
 */
import type { ExecutionContext } from 'ava'
import { Agent, request } from 'undici'

/** What a run of requests saw. */
export interface Tally {
  /** 200 answers per body (`v1`, `v2`). */
  readonly answers: Record<string, number>
  readonly failures: number
  /** The first failures (status, `l5d-err`, body; or the error), for assertion messages. */
  readonly failed: readonly string[]
  readonly total: number
}

export interface LoadOptions {
  /** The Host header, i.e. the service name (default `users`). */
  readonly host?: string
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number
}

interface Counts {
  answers: Record<string, number>
  failures: number
  failed: string[]
  total: number
}

const fresh = (): Counts => ({ answers: {}, failures: 0, failed: [], total: 0 })

export class Load {
  readonly #agent: Agent
  readonly #url: string
  readonly #host: string
  readonly #concurrency: number
  readonly #background = fresh()
  #workers: Promise<void>[] = []
  #running = false

  /** Load on the router listening on `port`; its connections are closed in `t.teardown`. */
  constructor(t: ExecutionContext, port: number, options: LoadOptions = {}) {
    this.#url = `http://127.0.0.1:${port}/`
    this.#host = options.host ?? 'users'
    this.#concurrency = options.concurrency ?? 4
    this.#agent = new Agent({ connections: this.#concurrency, pipelining: 1 })
    t.teardown(async () => {
      this.#running = false
      await Promise.all(this.#workers)
      await this.#agent.close()
    })
  }

  /** Starts the background load (counted in `background`); no-op if it runs. */
  start(): void {
    if (this.#running) return
    this.#running = true
    this.#workers = Array.from({ length: this.#concurrency }, async () => {
      while (this.#running) await this.#once(this.#background)
    })
  }

  /** Stops the background load once the requests in flight are answered; its tally so far. */
  async stop(): Promise<Tally> {
    this.#running = false
    await Promise.all(this.#workers)
    this.#workers = []
    return this.background
  }

  /** Everything the background load saw, over every start/stop, so far. */
  get background(): Tally {
    const b = this.#background
    return {
      answers: { ...b.answers },
      failures: b.failures,
      failed: [...b.failed],
      total: b.total,
    }
  }

  /** Sends exactly `n` requests, `concurrency` at a time; what they saw. */
  async measure(n: number): Promise<Tally> {
    const counts = fresh()
    let left = n
    const worker = async (): Promise<void> => {
      while (left > 0) {
        left--
        await this.#once(counts)
      }
    }
    await Promise.all(Array.from({ length: Math.min(n, this.#concurrency) }, worker))
    return counts
  }

  async #once(c: Counts): Promise<void> {
    c.total++
    try {
      const r = await request(this.#url, {
        dispatcher: this.#agent,
        headers: { host: this.#host },
        signal: AbortSignal.timeout(30_000),
      })
      const body = await r.body.text()
      if (r.statusCode === 200) c.answers[body] = (c.answers[body] ?? 0) + 1
      else failure(c, `${r.statusCode} l5d-err=${String(r.headers['l5d-err'])} ${body}`)
    } catch (e) {
      failure(c, e instanceof Error ? `${e.name}: ${e.message}` : String(e))
    }
  }
}

function failure(c: Counts, what: string): void {
  c.failures++
  if (c.failed.length < 5) c.failed.push(what.slice(0, 300))
}

/** The share of `version` among the 200 answers (0 when there were none). */
export function shareOf(t: Tally, version: string): number {
  const ok = Object.values(t.answers).reduce((sum, n) => sum + n, 0)
  return ok === 0 ? 0 : (t.answers[version] ?? 0) / ok
}

/** One request for `host` on a new connection, given up after `timeoutMs` (a hang: an error). */
export async function ask(
  port: number,
  host: string,
  timeoutMs = 20_000,
): Promise<{ status: number; err: string | undefined; body: string }> {
  const r = await request(`http://127.0.0.1:${port}/`, {
    headers: { host, connection: 'close' },
    signal: AbortSignal.timeout(timeoutMs),
  })
  const raw = r.headers['l5d-err']
  const body = await r.body.text()
  // l5d-err is form-encoded (`+` for a space), as linkerd sends it.
  const err = raw === undefined ? undefined : decodeURIComponent(String(raw).replace(/\+/g, ' '))
  return { status: r.statusCode, err, body }
}
