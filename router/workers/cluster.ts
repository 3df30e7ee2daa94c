/**
 * The node:cluster side of workers-metrics.ts: the primary relays asks and answers between
 * workers (they have no channel to each other), and each worker answers asks; the admin worker
 * also scrapes through the others. Only `router --workers N` calls these.
 */
import cluster, { type Worker } from 'node:cluster'
import type { MetricsRegistry } from '../metrics/index.js'
import { answerAsks, gatherer, isAnswer, isAsk, type Channel } from './metrics.js'

/** The environment variable through which the primary tells each worker how many there are. */
export const WORKERS_ENV = 'ROUTER_WORKERS'

/**
 * In the primary: sends each worker's ask to every other connected worker (with `from`, the
 * asker's id), and each answer back to its asker only. A worker gone in between is skipped: the
 * asker's deadline covers it.
 */
export function relayMetrics(): void {
  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (isAsk(msg)) {
      for (const w of Object.values(cluster.workers ?? {})) {
        if (w !== undefined && w !== worker) sendTo(w, { t: msg.t, id: msg.id, from: worker.id })
      }
    } else if (isAnswer(msg) && msg.to !== undefined) {
      const asker = cluster.workers?.[msg.to]
      if (asker !== undefined) sendTo(asker, { t: msg.t, id: msg.id, entries: msg.entries })
    }
  })
}

/**
 * In a worker, once its routers listen: answers the others' asks, and if it serves admin,
 * makes `metrics`' scrapes gather every worker's entries (`ROUTER_WORKERS` of them).
 */
export function joinWorkerMetrics(metrics: MetricsRegistry, withAdmin: boolean): void {
  const channel: Channel = {
    // a failed send (the channel closing on shutdown) must not throw: the asker's deadline covers it
    send: (msg) => void process.send?.(msg, undefined, {}, () => undefined),
    onMessage: (listener) => void process.on('message', listener),
  }
  answerAsks(metrics, channel)
  if (!withAdmin) return
  const workers = Number(process.env[WORKERS_ENV] ?? '1')
  metrics.gatherWith(gatherer(metrics, channel, { workers: workers >= 1 ? workers : 1 }))
}

function sendTo(w: Worker, msg: object): void {
  // the callback takes the error of a worker that is exiting, which would otherwise be thrown
  if (w.isConnected()) w.send(msg, undefined, () => undefined)
}
