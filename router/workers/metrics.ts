/**
 * `router --workers N`: the admin worker's scrapes show every worker's metrics. At scrape time
 * the admin worker asks the others for their entries over the cluster IPC channel (the primary
 * relays: workers have no channel to each other, see workers-relay.ts), waits for their answers
 * up to a short deadline, and merges them with its own (metrics-merge.ts). A worker that does not
 * answer in time (it may be restarting) is left out of that scrape; the gauges
 * `workers/reporting` (this worker included) and `workers/configured` make a partial scrape
 * visible. prom-client's process metrics (CPU, heap, event loop) stay the admin worker's own.
 *
 * Nothing here runs in single-process mode, nor on the data path: only when a scrape asks.
 */
import type { Entry } from '../metrics/entry.js'
import { mergeEntries } from '../metrics/merge.js'
import type { MetricsRegistry } from '../metrics/index.js'

/** A worker's asking for the others' entries; the primary adds `from` (the asker's id). */
export interface Ask {
  readonly t: typeof ASK
  readonly id: number
  readonly from?: number
}

/** A worker's entries, for the ask `id`; `to` (the asker's id) is for the primary's relay. */
export interface Answer {
  readonly t: typeof ANSWER
  readonly id: number
  readonly to?: number
  readonly entries: readonly Entry[]
}

export const ASK = 'router.metrics.ask'
export const ANSWER = 'router.metrics.answer'

/** A message channel: a worker's `process.send` and `process.on('message')` (or a test's). */
export interface Channel {
  send(msg: Ask | Answer): void
  onMessage(listener: (msg: unknown) => void): void
}

/** Whether `msg` is an ask. */
export function isAsk(msg: unknown): msg is Ask {
  return typeof msg === 'object' && msg !== null && (msg as Ask).t === ASK
}

/** Whether `msg` is an answer whose entries look like entries (others are dropped). */
export function isAnswer(msg: unknown): msg is Answer {
  if (typeof msg !== 'object' || msg === null) return false
  const a = msg as Answer
  return a.t === ANSWER && typeof a.id === 'number' && Array.isArray(a.entries)
}

/** Answers every ask on `channel` with `metrics.entries()` (this process's own, never merged). */
export function answerAsks(metrics: MetricsRegistry, channel: Channel): void {
  channel.onMessage((msg) => {
    if (!isAsk(msg)) return
    const answer: Answer = { t: ANSWER, id: msg.id, entries: metrics.entries() }
    channel.send(msg.from === undefined ? answer : { ...answer, to: msg.from })
  })
}

export interface GatherOptions {
  /** Configured workers, this one included. */
  readonly workers: number
  /** How long a scrape waits for the others (default 500 ms). */
  readonly deadlineMs?: number
}

/**
 * A scrape source for `MetricsRegistry.gatherWith`: asks the other workers, then merges the
 * answers that came within the deadline with `metrics.entries()`, and adds the
 * `workers/reporting` and `workers/configured` gauges. Each worker's histograms are its last
 * snapshot, taken on its own timer.
 */
export function gatherer(
  metrics: MetricsRegistry,
  channel: Channel,
  opts: GatherOptions,
): () => Promise<Entry[]> {
  const pending = new Map<number, (entries: readonly Entry[]) => void>()
  channel.onMessage((msg) => {
    if (isAnswer(msg)) pending.get(msg.id)?.(msg.entries.map(fromWire))
  })
  const others = opts.workers - 1
  let next = 0
  return () =>
    new Promise((resolve) => {
      const id = next++
      const lists: (readonly Entry[])[] = []
      const finish = (): void => {
        clearTimeout(timer)
        pending.delete(id)
        const merged = mergeEntries([metrics.entries(), ...lists])
        merged.push(gauge('reporting', 1 + lists.length), gauge('configured', opts.workers))
        resolve(merged)
      }
      const timer = setTimeout(finish, opts.deadlineMs ?? 500)
      // the scrape ends as soon as every other worker has answered
      pending.set(id, (entries) => {
        lists.push(entries)
        if (lists.length >= others) finish()
      })
      if (others <= 0) finish()
      else channel.send({ t: ASK, id })
    })
}

function gauge(name: string, value: number): Entry {
  return { path: ['workers', name], kind: 'gauge', value }
}

/** JSON (the IPC serialization) turns NaN and infinities into null: a gauge's null is NaN. */
function fromWire(e: Entry): Entry {
  if (e.kind !== 'stat' && typeof e.value !== 'number') return { ...e, value: NaN }
  return e
}
