import type { FastifyReply } from 'fastify'
import type { Var } from '../../dtabs/index.js'
import type { NamerdMetrics } from '../metrics.js'
import type { Frame } from './feeds.js'

/** What every watch stream of an API server shares. */
export interface WatchSettings {
  /** A blank line this often keeps idle streams alive and lets both ends notice dead ones. */
  readonly heartbeatMs: number
  /**
   * A stream whose backlog passes this many bytes is closed (default
   * {@link DEFAULT_MAX_BACKLOG_BYTES}); see {@link streamWatch}.
   */
  readonly maxBacklogBytes?: number
  readonly metrics?: NamerdMetrics
}

export interface WatchOptions extends WatchSettings {
  /** Route name for metrics, e.g. `bind`. */
  readonly route: string
  /** Absent for bind and addr streams, as in linkerd. */
  readonly contentType?: string
  /** The documents, shared by every stream watching the same thing (feeds.ts). */
  readonly source: Var<Frame>
}

/** 8 MiB: eight versions of a 1 MB dtab that a client did not take. */
export const DEFAULT_MAX_BACKLOG_BYTES = 8 * 1024 * 1024

const HEARTBEAT = Buffer.from('\n')

/**
 * Serves `watch=true`: a 200 with a chunked body of newline-terminated documents, the current
 * value first (once there is one), then each change. A client that reads slowly skips versions:
 * while its socket has not drained, new documents are not written, and when it drains it gets
 * the newest one only, so namerd holds at most one (shared) document for it. Its backlog is what
 * it has not taken: the bytes still unsent plus the documents skipped since it last drained;
 * past `maxBacklogBytes` the client is taken to have stopped reading and the stream is closed
 * (counted in `namerd_watch_streams_dropped_total`): a client that reconnects reads the current
 * document. Closing the connection releases every watch behind the stream.
 */
export function streamWatch(reply: FastifyReply, o: WatchOptions): void {
  reply.hijack()
  const res = reply.raw
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (o.contentType !== undefined) headers['content-type'] = o.contentType
  res.writeHead(200, headers)
  res.flushHeaders()
  const limit = o.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES
  let written: Frame
  let newest: Frame
  let skipped = 0
  const write = (): void => {
    if (newest === undefined || newest === written) return
    written = newest
    skipped = 0
    res.write(newest)
  }
  const emit = (): void => {
    const frame = o.source.get()
    if (frame === undefined || frame === newest || res.destroyed) return
    newest = frame
    if (!res.writableNeedDrain) return write()
    skipped += frame.length
    if (res.writableLength + skipped <= limit) return
    o.metrics?.watchDropped(o.route)
    res.destroy()
  }
  const stop = o.source.subscribe(emit)
  emit()
  const heartbeat =
    o.heartbeatMs > 0
      ? setInterval(() => {
          if (!res.writableNeedDrain) res.write(HEARTBEAT)
        }, o.heartbeatMs)
      : undefined
  res.on('drain', write)
  o.metrics?.watchOpened(o.route)
  res.once('close', () => {
    stop()
    clearInterval(heartbeat)
    o.metrics?.watchClosed(o.route)
  })
}
