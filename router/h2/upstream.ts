import { UpstreamError, type ResponseHandler, type Upstream } from '../core/handler.js'
import type { UpstreamRequest } from '../core/handler.js'
import type { TlsDialer } from '../net/upstream-tls.js'
import type { Watchdog } from '../net/watchdog.js'
import {
  H2Session,
  type SessionOwner,
  type SessionSettings,
  type SessionTarget,
} from './session.js'
import { H2Exchange } from './upstream-exchange.js'
import { lineTimeout, noStreamsAllowed } from './upstream-failures.js'

/**
 * One endpoint's HTTP/2 upstream for one set of client settings: one session at a time takes
 * new streams (a retired one, after a GOAWAY, finishes its own). When the session is at the
 * endpoint's stream limit, requests wait in one line (first come, first served) for a stream to
 * end; past `maxWaiters` waiting a request fails at once, unsent (`POOL_QUEUE_FULL`). A second
 * session is never opened for the overflow: the endpoint's limit is its own word on how much it
 * takes, and one line keeps the order. Until the endpoint's SETTINGS say its limit the line has
 * no bound (a burst at a cold upstream is not refused for a limit nobody announced; the connect
 * timeout and the clients' own stream limits bound it); once they come, what the limit allows
 * starts and the line past `maxWaiters` is refused. A session that fails to connect fails the
 * line with it, as does one whose endpoint allows it no stream at all (MAX_CONCURRENT_STREAMS
 * 0: the line fails unsent, to be requeued; the next request opens a new session). No request
 * waits in line longer than `responseTimeoutMs` (it fails unsent, as a response timeout).
 */
export class H2Upstream implements Upstream, SessionOwner {
  private current: H2Session | undefined
  private readonly sessions = new Set<H2Session>()
  private readonly waiters: H2Exchange[] = []
  private closing = false
  private drained: (() => void) | undefined

  constructor(
    private readonly target: SessionTarget,
    private readonly settings: SessionSettings,
    private readonly watchdog: Watchdog,
    private readonly dialer?: TlsDialer,
  ) {}

  dispatch(request: UpstreamRequest, handler: ResponseHandler): void {
    const x = new H2Exchange(request, handler)
    handler.onConnect((err) => x.abort(err))
    if (x.done) return
    if (this.closing) return x.fail(closedError())
    const s = this.session()
    if (s.hasRoom && this.waiters.length === 0) return s.start(x)
    this.wait(x)
  }

  /** Sessions open now (the current one and retired ones still finishing streams). */
  get size(): number {
    return this.sessions.size
  }

  /** Requests waiting for a stream now. */
  get waiting(): number {
    return this.waiters.length
  }

  room(s: H2Session): void {
    if (s !== this.current) return
    while (s.hasRoom) {
      const x = this.waiters.shift()
      if (x === undefined) return
      if (!x.done) s.start(x)
    }
    if (s.settled) this.trim()
  }

  retired(s: H2Session): void {
    if (s !== this.current) return
    this.current = undefined
    // The line moves to a new session (the retired one takes nothing more).
    if (this.waiters.length > 0 && !this.closing) this.room(this.session())
  }

  gone(s: H2Session): void {
    this.sessions.delete(s)
    if (!s.connected) this.failWaiters(s)
    this.retired(s)
    if (this.closing && this.sessions.size === 0) this.drained?.()
  }

  closedToStreams(s: H2Session): void {
    if (s !== this.current) return
    for (const x of this.waiters.splice(0)) x.fail(noStreamsAllowed(this.target.key))
  }

  /** The line is first come, first served: the overdue are at its head. */
  check(s: H2Session, now: number): void {
    if (s !== this.current) return
    const ms = this.settings.responseTimeoutMs
    while (this.waiters.length > 0 && now - (this.waiters[0] as H2Exchange).sentAt > ms) {
      ;(this.waiters.shift() as H2Exchange).fail(lineTimeout(ms))
    }
  }

  /** Fails the waiters, then closes every session once its streams finish. */
  close(): Promise<void> {
    this.closing = true
    for (const x of this.waiters.splice(0)) x.fail(closedError())
    for (const s of this.sessions) s.close()
    if (this.sessions.size === 0) return Promise.resolve()
    return new Promise((resolve) => (this.drained = resolve))
  }

  /** The session taking new streams, opened if there is none. */
  private session(): H2Session {
    if (this.current !== undefined) return this.current
    const s = new H2Session(this.target, this.settings, this, this.watchdog, this.dialer)
    this.current = s
    this.sessions.add(s)
    return s
  }

  private wait(x: H2Exchange): void {
    const known = this.current?.settled !== false
    if (known && this.waiters.length >= this.settings.maxWaiters) return x.fail(this.queueFull())
    x.sentAt = this.watchdog.now
    this.waiters.push(x)
    x.cancel = (err) => {
      const i = this.waiters.indexOf(x)
      if (i !== -1) this.waiters.splice(i, 1)
      x.fail(err)
    }
  }

  /** The endpoint's limit is known: the line past `maxWaiters` is refused, its last first. */
  private trim(): void {
    for (const x of this.waiters.splice(this.settings.maxWaiters)) x.fail(this.queueFull())
  }

  /** A session that never connected: its line fails as its streams did (unsent). */
  private failWaiters(s: H2Session): void {
    if (s !== this.current) return
    for (const x of this.waiters.splice(0)) x.fail(s.connectFailure(x))
  }

  private queueFull(): UpstreamError {
    return new UpstreamError(
      'POOL_QUEUE_FULL',
      `the endpoint's concurrent stream limit is reached and ${this.settings.maxWaiters} ` +
        'requests are already waiting',
      { unsent: true },
    )
  }
}

function closedError(): Error {
  return new Error('HTTP/2 upstream closed')
}
