// A steady load through the router: `connections` keep-alive connections, each sending the next
// request as soon as the previous answer is read. It keeps what the live display needs (the
// last `window` answers, a request rate) and what a canary step measures (a `Tally`).
import { Agent } from 'node:http'
import { performance } from 'node:perf_hooks'
import { get } from './http.mjs'

/**
 * What one canary step counted: errors for requests sent from `errorsFrom` (the step's start,
 * the switch included); the split for requests sent from `from` (once the router follows the
 * new dtab; until it is set, nothing).
 */
export class Tally {
  constructor(errorsFrom = performance.now()) {
    this.errorsFrom = errorsFrom
    this.from = Infinity
    this.n = 0
    this.v1 = 0
    this.v2 = 0
    this.errors = 0
    this.firstError = undefined
  }

  add(sentAt, version, error) {
    if (error !== undefined && sentAt >= this.errorsFrom) {
      this.errors++
      this.firstError ??= error
    }
    if (sentAt < this.from) return
    this.n++
    if (version === 'v1' || version === 'v2') this[version]++
  }
}

export class Load {
  /** Sends `Host: <host>` requests to `url` until `stop()`. */
  constructor(url, host, { connections = 8, window = 500 } = {}) {
    this.url = url
    this.host = host
    this.agent = new Agent({ keepAlive: true, maxSockets: connections })
    this.recent = [] // 'v1' | 'v2' | 'error', the last `window` answers
    this.window = window
    this.total = 0
    this.rates = [] // [time, total] samples of the last second, for req/s
    /** @type {Tally[]} every tally that is counting */
    this.tallies = []
    this.running = true
    this.workers = Array.from({ length: connections }, () => this.#worker())
  }

  /** A new step's tally, counting from now until `untally`. */
  tally() {
    const tally = new Tally()
    this.tallies.push(tally)
    return tally
  }

  untally(tally) {
    this.tallies = this.tallies.filter((t) => t !== tally)
  }

  /** The v2 share and errors among the last answers (up to `window`), and requests per second. */
  snapshot() {
    const now = performance.now()
    this.rates.push([now, this.total])
    while (this.rates.length > 2 && now - this.rates[1][0] >= 1000) this.rates.shift()
    const [t0, n0] = this.rates[0]
    const rate = now - t0 > 0 ? ((this.total - n0) * 1000) / (now - t0) : 0
    const v2 = this.recent.filter((r) => r === 'v2').length
    const errors = this.recent.filter((r) => r === 'error').length
    return { size: this.recent.length, v2, errors, rate }
  }

  async stop() {
    this.running = false
    await Promise.all(this.workers)
    this.agent.destroy()
  }

  async #worker() {
    while (this.running) {
      const sentAt = performance.now()
      let version
      let error
      try {
        const r = await get(this.url, { agent: this.agent, headers: { host: this.host } })
        if (r.status === 200 && r.headers['x-version']) version = r.headers['x-version']
        else if (r.status === 200) error = 'no x-version header'
        else error = `${r.status} ${r.body.trim().slice(0, 200)}`
      } catch (e) {
        error = e.message
      }
      this.#record(sentAt, version, error)
      // A router that refuses connections must not turn this loop into a busy spin.
      if (error !== undefined) await new Promise((r) => setTimeout(r, 20))
    }
  }

  #record(sentAt, version, error) {
    this.total++
    this.recent.push(error !== undefined ? 'error' : version)
    if (this.recent.length > this.window) this.recent.shift()
    for (const t of this.tallies) t.add(sentAt, version, error)
  }
}
