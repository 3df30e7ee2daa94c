import test from 'ava'
import { parseLog, parseSummary } from './h2load.js'
import { ratioTable, streamsTable, type Run } from './report.js'

const names = { nginx: 'n', bare: 'b', http2Proxy: 'h', router: 'r' }

function run(rps: number, cpuUsPerRequest = 100): Run {
  const latency = { p50ms: 1, p99ms: 2 }
  return { requests: rps * 3, rps, ...latency, errors: 0, cpuUsPerRequest, rssMiB: 90 }
}

/** The value and target cells of the ratio table's line starting with `what`. */
function line(table: string, what: string): string {
  return table.split('\n').find((l) => l.startsWith(`| ${what}`)) ?? ''
}

test('targets are met when the paired ratios are within their bounds', (t) => {
  const rounds = new Map([
    ['n', [run(10_000), run(20_000)]],
    ['b', [run(6000), run(8000)]],
    ['h', [run(2000), run(2000)]],
    ['r', [run(6000, 110), run(10_000, 90)]],
  ])
  const table = ratioTable(new Map([['100 B', rounds]]), names)
  // Router ÷ bare per round: 1.0 and 1.25; the median of two is the upper one.
  t.is(
    line(table, '100 B: router ÷ bare forwarder, req/s'),
    '| 100 B: router ÷ bare forwarder, req/s | 1.25× | ≥ 1.0×: met |',
  )
  t.regex(line(table, '100 B: router ÷ nginx, req/s'), /\| 0\.60× \| ≥ 0\.5×: met \|$/)
  t.regex(line(table, '100 B: bare h2 → h2 ÷ http2-proxy h2 → h1, req/s'), /\| 4\.00× \|/)
})

test('a missed target says so, and a router that did not run gives no ratio', (t) => {
  const rounds = new Map([
    ['n', [run(10_000)]],
    ['b', [run(6000)]],
    ['r', [run(4000)]],
  ])
  const byBody = new Map([
    ['16 KiB', rounds],
    ['100 B', new Map([['n', [run(10_000)]]])],
  ])
  const table = ratioTable(byBody, names)
  t.regex(line(table, '16 KiB: router ÷ bare'), /0\.67× \| ≥ 1\.0×: \*\*NOT met\*\*/)
  t.regex(line(table, '16 KiB: router ÷ nginx, req/s'), /0\.40× \| ≥ 0\.5×: \*\*NOT met\*\*/)
  t.is(
    line(table, '100 B: router ÷ nginx, req/s'),
    '| 100 B: router ÷ nginx, req/s | – | not run |',
  )
})

test("h2load's summary and per-request log are read", (t) => {
  const out = `starting benchmark...
spawning thread #0: 10 total client(s). Timing-based test with 1s of warm-up time and 3s of main duration for measurements.

finished in 4.00s, 12345.67 req/s, 1.61MB/s
requests: 37037 total, 37137 started, 37037 done, 37030 succeeded, 7 failed, 7 errored, 0 timeout
status codes: 37030 2xx, 0 3xx, 0 4xx, 0 5xx
`
  t.deepEqual(parseSummary(out), { requests: 37037, rps: 12345.67, errors: 7 })
  t.throws(() => parseSummary('h2load: connect refused'), { message: /cannot read h2load/ })
  // 100 answered requests of 1..100 ms, given in reverse, and two still in flight (status 0).
  const lines = Array.from({ length: 100 }, (_, i) => `17966324808${i}\t200\t${(100 - i) * 1000}`)
  const log = [...lines, '1796632480900\t0\t5', '1796632480901\t0\t999999999', ''].join('\n')
  t.deepEqual(parseLog(log), { p50ms: 51, p99ms: 100 })
})

test('the streams table gives the RSS each held stream costs', (t) => {
  const held = {
    streams: 10_000,
    connections: 5,
    rssBefore: 100,
    rssWith: 150,
    opened: 10_000,
    heldAtBackends: 10_000,
    heldAfterClose: 0,
    openSeconds: 1.5,
  }
  const table = streamsTable(new Map([['r', held]]))
  t.regex(table, /\| r \| 10,000 \(5\) \| 10,000 in 1\.5 s \| 10,000 \| 100 \/ 150 \| 5\.1 \| 0 \|/)
})
