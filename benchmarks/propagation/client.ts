/**
 * A closed-loop client for one router: one keep-alive connection, one request in flight, the
 * next sent `paceMs` after the previous one was sent (or at once when the answer came later).
 * It records when each request was sent and which version (`x-version`) answered it, which is
 * how the benchmark sees the moment a router starts routing by a new dtab.
 */
import { Client } from 'undici'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Waiter {
  readonly version: string
  readonly resolve: (sentAt: number) => void
}

/** Drives one router with `Host: users` requests until `stop()`. */
export class LoopClient {
  /** Round-trip time (ms) of every successful request since `resetStats()`. */
  readonly rtts: number[] = []
  /** Time between consecutive sends (ms) since `resetStats()`: the measurement's step. */
  readonly intervals: number[] = []
  /** Failed requests and non-200 answers since `resetStats()`. */
  errors = 0
  readonly #client: Client
  readonly #paceMs: number
  #waiters: Waiter[] = []
  #stopped = false
  #loop: Promise<void> | undefined

  constructor(port: number, paceMs: number) {
    this.#client = new Client(`http://127.0.0.1:${port}`, {
      pipelining: 1,
      keepAliveTimeout: 60_000,
    })
    this.#paceMs = paceMs
  }

  start(): void {
    this.#loop ??= this.#run()
  }

  /**
   * Resolves with the send time (`performance.now()`) of the first request answered by
   * `version` among the answers received after this call. A request in flight at the call can
   * be that one, so its send time may precede the call.
   */
  waitFor(version: string): Promise<number> {
    return new Promise((resolve) => this.#waiters.push({ version, resolve }))
  }

  resetStats(): void {
    this.rtts.length = 0
    this.intervals.length = 0
    this.errors = 0
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await this.#loop
    await this.#client.close()
  }

  async #run(): Promise<void> {
    let lastSent = Number.NaN
    while (!this.#stopped) {
      // Timers fire on the loop's millisecond clock, up to 1 ms early by performance.now():
      // wait again until the pace has really passed.
      for (let w = lastSent + this.#paceMs - performance.now(); w > 0;) {
        await sleep(Math.ceil(w))
        w = lastSent + this.#paceMs - performance.now()
      }
      const sentAt = performance.now()
      if (!Number.isNaN(lastSent)) this.intervals.push(sentAt - lastSent)
      lastSent = sentAt
      const version = await this.#send()
      if (version === undefined) {
        this.errors++
        // Do not spin on a router that fails fast.
        await sleep(Math.max(this.#paceMs, 10))
        continue
      }
      this.rtts.push(performance.now() - sentAt)
      this.#answered(version, sentAt)
    }
  }

  /** One request; the version that answered, or undefined on an error or a non-200 answer. */
  async #send(): Promise<string | undefined> {
    try {
      const res = await this.#client.request({
        path: '/',
        method: 'GET',
        headers: { host: 'users' },
      })
      await res.body.dump()
      const version = res.headers['x-version']
      if (res.statusCode === 200 && typeof version === 'string') return version
    } catch {
      // A refused or reset connection: the next request opens a new one.
    }
    return undefined
  }

  #answered(version: string, sentAt: number): void {
    if (this.#waiters.length === 0) return
    const still: Waiter[] = []
    for (const w of this.#waiters) {
      if (w.version === version) w.resolve(sentAt)
      else still.push(w)
    }
    this.#waiters = still
  }
}
