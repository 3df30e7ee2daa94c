/**
 * The admin view of an `io.l5d.namerd.http` interpreter
 * (`/<router>/interpreter_state/io.l5d.namerd.http/<namespace>.json`): every running stream,
 * what it follows, its connection state, when its value last changed, and the value.
 */
import type { LiveStream } from './stream-var.js'
import type { NamerdTarget } from './urls.js'

/** One running stream, as the admin page shows it. */
export interface StreamState {
  /** `dtab` (the namespace's dtab), `bind` (a name) or `addr` (a bound id). */
  readonly kind: string
  /** The name or id (absent for `dtab`). */
  readonly path?: string
  /** The override dtab sent with a bind (absent when empty). */
  readonly dtab?: string
  /** `connecting`, `open`, `retrying` (namerd unreachable or the stream broke) or `closed`. */
  readonly state: string
  /** `host:port` of the namerd (replica) of the last connection attempt. */
  readonly host?: string
  /** ISO time of the last change of `state`. */
  readonly since?: string
  /** Failed connections in a row. */
  readonly attempts?: number
  /** Why the last connection failed; shown only while `attempts` > 0. */
  readonly lastError?: string
  /** ISO time of the last change of `value`. */
  readonly lastChange?: string
  /** Documents applied. */
  readonly updates: number
  readonly observers: number
  readonly value: unknown
}

export interface NamerdInterpreterState {
  readonly kind: 'io.l5d.namerd.http'
  /** namerd's address, or the `dst` path its replicas are found by. */
  readonly namerd: string
  /** With a `dst` found by the router's namers: the replicas known now. */
  readonly replicas?: readonly string[]
  readonly namespace: string
  readonly streams: readonly StreamState[]
}

/** The state of every live stream, dtab first, then binds and addrs by path. */
export function interpreterState(
  target: NamerdTarget,
  live: Iterable<LiveStream>,
): NamerdInterpreterState {
  const streams = [...live].map(streamState).sort(byKindAndPath)
  return { kind: 'io.l5d.namerd.http', namerd: target.base, namespace: target.namespace, streams }
}

function streamState(v: LiveStream): StreamState {
  const url = new URL(v.url)
  const kind = url.pathname.split('/')[3] === 'dtabs' ? 'dtab' : (url.pathname.split('/')[3] ?? '')
  const path = url.searchParams.get('path') ?? undefined
  const dtab = url.searchParams.get('dtab') || undefined
  const w = v.watchState()
  const c = v.changes()
  return {
    kind,
    ...(path === undefined ? {} : { path }),
    ...(dtab === undefined ? {} : { dtab }),
    state: w.state,
    ...('host' in w && w.host !== undefined ? { host: w.host } : {}),
    ...('since' in w ? { since: iso(w.since), attempts: w.attempts } : {}),
    // Only while failing: an error from before a recovery would read as a current one.
    ...('lastError' in w && w.lastError !== undefined && w.attempts > 0
      ? { lastError: w.lastError }
      : {}),
    ...(c.at === undefined ? {} : { lastChange: iso(c.at) }),
    updates: c.count,
    observers: v.observers,
    value: v.shown(),
  }
}

const ORDER: Readonly<Record<string, number>> = { dtab: 0, bind: 1, addr: 2 }

function byKindAndPath(a: StreamState, b: StreamState): number {
  const k = (ORDER[a.kind] ?? 3) - (ORDER[b.kind] ?? 3)
  if (k !== 0) return k
  return (a.path ?? '').localeCompare(b.path ?? '') || (a.dtab ?? '').localeCompare(b.dtab ?? '')
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** What the metrics show of the streams (state.ts computes it at scrape time). */
export interface StreamHealth {
  readonly streams: number
  /** Streams not open whose last connection failed (and that have not delivered since). */
  readonly disconnected: number
  /**
   * How far behind namerd this router may be: 0 while every stream is open, else the time since
   * the longest-disconnected stream was last open (or started).
   */
  readonly lagMs: number
}

export function streamHealth(live: Iterable<LiveStream>, now: number): StreamHealth {
  let streams = 0
  let disconnected = 0
  let lagMs = 0
  for (const v of live) {
    streams++
    const w = v.watchState()
    // Open again after failures: connected, even before namerd has anything new to send.
    if (!('attempts' in w) || w.attempts === 0 || w.state === 'open') continue
    disconnected++
    lagMs = Math.max(lagMs, now - (w.downSince ?? w.since))
  }
  return { streams, disconnected, lagMs }
}

/** What the admin shows of the namerd dtab a router follows (its interpreter's dtab stream). */
export interface NamerdDtab {
  readonly namespace: string
  /** namerd's address (or the path its replicas are found by). */
  readonly namerd: string
  /** The stream's state: `connecting`, `open`, `retrying`, `closed`. */
  readonly state: string
  /** The namespace's dtab as namerd last sent it; null before it has. */
  readonly dtab: string | null
  /** ISO time of its last change. */
  readonly lastChange?: string
  /** namerd's version of the namespace, asked when the admin was (absent: no answer). */
  readonly version?: string
}

/**
 * The namespace's dtab as the admin's `/admin/dtabs.json` shows it: the dtab stream's state,
 * its text once namerd sent one (null before, or when namerd answered a failure), its last
 * change.
 */
export function namerdDtabOf(s: NamerdInterpreterState): NamerdDtab {
  const stream = s.streams.find((x) => x.kind === 'dtab')
  return {
    namespace: s.namespace,
    namerd: s.namerd,
    state: stream?.state ?? 'idle',
    dtab: typeof stream?.value === 'string' ? stream.value : null,
    ...(stream?.lastChange === undefined ? {} : { lastChange: stream.lastChange }),
  }
}
