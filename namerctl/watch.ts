import { NamerdWatch, type WatchFailure } from '../lib/namerd-client/index.js'
import { authHeaders, requestUrl, statusError, unreachable, type Namerd } from './client.js'
import type { Output } from './dtab-offline.js'
import type { NamerdError } from './errors.js'
import { VERSIONED } from './media.js'
import { prettyDtab } from './pretty.js'
import { describeError, readWatchDoc } from './watch-doc.js'

/**
 * Reconnection backoff, the shared client's (lib/namerd-client/backoff.ts): a random wait under
 * a cap from 0.2 s, doubling, at most 5 s; back to 0.2 s once a connection delivers a document.
 */
export const BACKOFF = { baseMs: 200, maxMs: 5000 } as const

/** Where a watch writes, and what stops it (SIGINT, SIGTERM). */
export interface WatchIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly signal: AbortSignal
}

/** No byte for this long (heartbeats come every 10 s by default) means a dead connection. */
export function idleLimitMs(timeoutMs: number): number {
  return Math.max(3 * timeoutMs, 30_000)
}

/**
 * `dtab watch NAME`: follows NAME's dtab and prints each version as `get` does (or each line as
 * is with `--json`). A broken or ended stream is reopened with backoff and a message on stderr;
 * a document equal to the last one printed is not printed again. The first connection's
 * failure is an error (exit status as for any request), and so is any later refusal but 503;
 * the watch ends when `io.signal` aborts (exit 0).
 */
export function watchCommand(
  namerd: Namerd,
  name: string,
  opts: { json?: boolean },
  io: WatchIo,
): Promise<Output> {
  if (io.signal.aborted) return Promise.resolve({ stdout: '' })
  let opened = false
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      watch.close()
      resolve({ stdout: '' })
    }
    const path = `dtabs/${encodeURIComponent(name)}`
    const watch = new NamerdWatch({
      url: requestUrl(namerd, { path, query: { watch: 'true' } }),
      headers: { accept: VERSIONED, ...authHeaders(namerd) },
      tls: namerd.tls,
      retry: BACKOFF,
      openTimeoutMs: namerd.timeoutMs,
      deadAfterMs: idleLimitMs(namerd.timeoutMs),
      onValue: printer(opts.json === true, io),
      onError: (e) => io.err(`namerctl: ${describeError(e)}\n`),
      onState: (s) => {
        if (s.state === 'open') opened = true
        if (s.state === 'retrying')
          io.err(`namerctl: watch interrupted (${s.lastError ?? ''}); reconnecting\n`)
      },
      retryIf: (failure) => opened && retryable(failure),
      onGiveUp: (failure) => {
        io.signal.removeEventListener('abort', stop)
        reject(failureError(namerd, name, failure))
      },
    })
    io.signal.addEventListener('abort', stop, { once: true })
  })
}

/** Once connected, namerd gone, a broken stream or a 503 (store unavailable) are retried. */
function retryable(f: WatchFailure): boolean {
  return f.kind !== 'refused' || f.status === 503
}

/** A failure the watch gives up on, as a request's error (exit 3, 4, 5, 8 or 9). */
function failureError(namerd: Namerd, name: string, f: WatchFailure): NamerdError {
  if (f.kind === 'unreachable') return unreachable(namerd, f)
  if (f.kind === 'broken') return unreachable(namerd, { reason: f.reason, timedOut: false })
  const reply = { status: f.status, statusText: f.statusText, headers: {}, body: f.body }
  return statusError(reply, { 404: `dtab ${name} not found` })
}

/** Prints documents: pretty with a blank line between them, or as namerd sent them. */
function printer(json: boolean, io: WatchIo): (doc: unknown, line: string) => void {
  let first = true
  return (doc, line) => {
    const read = readWatchDoc(doc, line)
    if (read.type === 'error') return io.err(`namerctl: ${read.message}\n`)
    if (json) io.out(`${line.trim()}\n`)
    else io.out(`${first ? '' : '\n'}${prettyDtab(read.doc)}`)
    first = false
  }
}
