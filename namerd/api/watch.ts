import type { FastifyReply } from 'fastify'
import type { Var } from '../../dtabs/index.js'
import type { NamerdMetrics } from '../metrics.js'
import { errorLine } from './errors.js'
import type { Rendered } from './live.js'

export interface WatchOptions {
  /** Route name for metrics, e.g. `bind`. */
  readonly route: string
  /** Absent for bind and addr streams, as in linkerd. */
  readonly contentType?: string
  readonly source: Var<Rendered>
  /** A blank line this often keeps idle streams alive and lets both ends notice dead ones. */
  readonly heartbeatMs: number
  readonly metrics?: NamerdMetrics
}

/**
 * Serves `watch=true`: a 200 with a chunked body of newline-terminated documents, the current
 * value first (once there is one), then each change; a document equal to the last one written
 * is not repeated. Failures are JSON lines `{"error":{"code","message"}}` and the stream goes
 * on (a later fix of the dtab brings a new document). A client that reads slowly gets the
 * latest document when it drains, never a growing backlog. Closing the connection releases
 * every watch behind the stream.
 */
export function streamWatch(reply: FastifyReply, o: WatchOptions): void {
  reply.hijack()
  const res = reply.raw
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (o.contentType !== undefined) headers['content-type'] = o.contentType
  res.writeHead(200, headers)
  res.flushHeaders()
  let last: string | undefined
  let behind = false
  const emit = (): void => {
    const value = o.source.get()
    if (value === undefined) return
    const doc = typeof value === 'string' ? value : errorLine(value.error)
    if (doc === last) return
    if (res.writableNeedDrain) {
      behind = true
      return
    }
    last = doc
    res.write(`${doc}\n`)
  }
  const stop = o.source.subscribe(emit)
  emit()
  const heartbeat =
    o.heartbeatMs > 0
      ? setInterval(() => {
          if (!res.writableNeedDrain) res.write('\n')
        }, o.heartbeatMs)
      : undefined
  res.on('drain', () => {
    if (!behind) return
    behind = false
    emit()
  })
  o.metrics?.watchOpened(o.route)
  res.once('close', () => {
    stop()
    clearInterval(heartbeat)
    o.metrics?.watchClosed(o.route)
  })
}
