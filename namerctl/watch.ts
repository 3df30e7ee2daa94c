import { setTimeout as sleep } from 'node:timers/promises'
import { errorMessage } from '../lib/errors.js'
import { VERSIONED } from './media.js'
import { networkCause, open, statusError, type Namerd } from './client.js'
import type { Output } from './dtab-offline.js'
import { NamerdError } from './errors.js'
import { prettyDtab } from './pretty.js'
import { parseWatchLine, splitLines } from './watch-lines.js'

/** Reconnection backoff: from 0.2 s, doubling, at most 5 s; reset by each good connection. */
export const BACKOFF = { firstMs: 200, maxMs: 5000 } as const

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

/** Handles one line of the stream. */
type Printer = (line: string) => void

/**
 * `dtab watch NAME`: follows NAME's dtab and prints each version as `get` does (or each line as
 * is with `--json`). A broken or ended stream is reopened with backoff and a message on stderr;
 * a document equal to the last one printed is not printed again. The first connection's
 * failure is an error (exit status as for any request); the watch ends when `io.signal` aborts
 * (exit 0).
 */
export async function watchCommand(
  namerd: Namerd,
  name: string,
  opts: { json?: boolean },
  io: WatchIo,
): Promise<Output> {
  const print = printer(opts.json === true, io)
  let connected = false
  let delay: number = BACKOFF.firstMs
  while (!io.signal.aborted) {
    try {
      const why = await follow(namerd, name, io.signal, print, () => {
        connected = true
        delay = BACKOFF.firstMs
      })
      if (io.signal.aborted) break
      io.err(`namerctl: watch interrupted (${why}); reconnecting\n`)
    } catch (e) {
      if (io.signal.aborted) break
      if (!connected || !retryable(e)) throw e
      io.err(`namerctl: watch interrupted (${errorMessage(e)}); reconnecting\n`)
    }
    await sleep(delay, undefined, { signal: io.signal }).catch(() => undefined)
    delay = Math.min(delay * 2, BACKOFF.maxMs)
  }
  return { stdout: '' }
}

function retryable(e: unknown): boolean {
  return (
    e instanceof NamerdError &&
    (e.code === 'ERR_NAMERD_UNREACHABLE' || e.code === 'ERR_NAMERD_UNAVAILABLE')
  )
}

/**
 * Prints documents (pretty with a blank line between them, or as is), skipping one equal to
 * the last printed (a reconnection starts with the current document again).
 */
function printer(json: boolean, io: WatchIo): Printer {
  let last: string | undefined
  return (line) => {
    const parsed = parseWatchLine(line)
    if (parsed.type === 'heartbeat') return
    if (parsed.type === 'error') return io.err(`namerctl: ${parsed.message}\n`)
    const key = JSON.stringify(parsed.doc)
    if (key === last) return
    const first = last === undefined
    last = key
    if (json) io.out(`${line.trim()}\n`)
    else io.out(`${first ? '' : '\n'}${prettyDtab(parsed.doc)}`)
  }
}

/** One watch connection: opens it, feeds its lines to `print`, and says why it ended. */
async function follow(
  namerd: Namerd,
  name: string,
  signal: AbortSignal,
  print: Printer,
  onConnected: () => void,
): Promise<string> {
  const stop = new AbortController()
  const both = AbortSignal.any([signal, stop.signal])
  const req = {
    path: `dtabs/${encodeURIComponent(name)}`,
    query: { watch: 'true' },
    headers: { accept: VERSIONED },
  }
  const res = await open(namerd, req, both)
  if (!res.ok) {
    const reply = { status: res.status, statusText: res.statusText, headers: res.headers }
    throw statusError({ ...reply, body: await res.text() }, { 404: `dtab ${name} not found` })
  }
  onConnected()
  try {
    return await readLines(res, print, idleLimitMs(namerd.timeoutMs), stop)
  } finally {
    stop.abort()
  }
}

/** Reads the body line by line until it ends, breaks, or stays silent for `idleMs`. */
async function readLines(
  res: Response,
  print: Printer,
  idleMs: number,
  stop: AbortController,
): Promise<string> {
  if (res.body === null) return 'no body'
  const decoder = new TextDecoder()
  let rest = ''
  let idle = false
  let timer = setTimeout(() => ((idle = true), stop.abort()), idleMs)
  try {
    for await (const chunk of res.body) {
      clearTimeout(timer)
      timer = setTimeout(() => ((idle = true), stop.abort()), idleMs)
      const split = splitLines(rest, decoder.decode(chunk, { stream: true }))
      rest = split.rest
      split.lines.forEach(print)
    }
    return 'the stream ended'
  } catch (e) {
    return idle ? `no data for ${idleMs / 1000} s` : networkCause(e)
  } finally {
    clearTimeout(timer)
  }
}
