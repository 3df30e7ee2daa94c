/**
 * A program holding many watch streams of one namerd dtab, for the fan-out test:
 * `node watchers-main.js <port> <path> <count>`. It prints `{"version":v,"at":ms}` once every
 * stream has read version v (`at`: `Date.now()` when the last one had it). It runs apart from
 * the test so that reading hundreds of MB does not delay the test's own measurements (the PUT's
 * answer, `/admin/ping`).
 */
import { openWatchReader, type WatchReader } from './watch-reader.js'

const [port, path, count] = process.argv.slice(2)
const total = Number(count)
/** How many streams have read each version so far. */
const reached = new Map<number, number>()

function onVersion(r: WatchReader, old: number): void {
  for (let v = old + 1; v <= r.latest; v++) {
    const n = (reached.get(v) ?? 0) + 1
    reached.set(v, n)
    if (n === total) process.stdout.write(`${JSON.stringify({ version: v, at: Date.now() })}\n`)
  }
}

for (let i = 0; i < total; i++) {
  const r = await openWatchReader(Number(port), path ?? '/')
  r.onVersion = (old) => onVersion(r, old)
}
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
