import test from 'ava'
import { parseWrk } from '../proxy/wrk.js'
import { parseSTime, type Handshakes, type KeepAlive } from './measure.js'
import { ratioTable } from './report.js'

const names = { nginx: 'n', router: 'r', mtls: 'm', plain: 'p' }

function kept(rps: number, cpuUsPerRequest: number): KeepAlive {
  return { requests: rps * 10, rps, p50ms: 1, p99ms: 2, errors: 0, cpuUsPerRequest }
}

const shakes = new Map<string, Handshakes[]>([
  ['n', [{ perSecond: 1000, cpuUsPerHandshake: 300 }]],
  ['r', [{ perSecond: 500, cpuUsPerHandshake: 900 }]],
])

/** The value and target cells of the ratio table's line starting with `what`. */
function line(table: string, what: string): string {
  return table.split('\n').find((l) => l.startsWith(`| ${what}`)) ?? ''
}

test('targets are met when the paired ratios are within their bounds', (t) => {
  const rounds = new Map([
    ['n', [kept(1000, 50), kept(2000, 50)]],
    ['r', [kept(600, 80), kept(1000, 80)]],
    ['m', [kept(500, 140), kept(500, 150)]],
    ['p', [kept(700, 100), kept(700, 100)]],
  ])
  const table = ratioTable(rounds, shakes, names)
  // Router ÷ nginx per round: 0.6 and 0.5; the median of two is the upper one.
  t.is(
    line(table, 'router TLS ÷ nginx TLS, keep-alive'),
    '| router TLS ÷ nginx TLS, keep-alive req/s | 0.60× | ≥ 0.5×: met |',
  )
  t.regex(line(table, 'mTLS two hops ÷ plain two hops, CPU'), /\| 1\.50× \| ≤ 1\.5×: met \|$/)
  t.regex(line(table, 'router ÷ nginx, full handshakes'), /\| 0\.50× \|/)
})

test('a missed target says so', (t) => {
  const rounds = new Map([
    ['n', [kept(1000, 50)]],
    ['r', [kept(400, 80)]],
    ['m', [kept(500, 160)]],
    ['p', [kept(700, 100)]],
  ])
  const table = ratioTable(rounds, shakes, names)
  t.regex(line(table, 'router TLS ÷ nginx TLS, keep-alive'), /0\.40× \| ≥ 0\.5×: \*\*NOT met\*\*/)
  t.regex(line(table, 'mTLS two hops ÷ plain two hops, CPU'), /1\.60× \| ≤ 1\.5×: \*\*NOT met\*\*/)
})

test("wrk's and s_time's counts are read from their output", (t) => {
  const wrkOut = `Running 10s test @ https://127.0.0.1:8443/
  1 threads and 50 connections
  Latency Distribution
     50%    5.34ms
     75%    7.01ms
     90%    9.50ms
     99%   52.38ms
  71540 requests in 10.00s, 17.60MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   7154.00
Transfer/sec:      1.76MB
`
  t.deepEqual(parseWrk(wrkOut), {
    requests: 71540,
    rps: 7154,
    p50ms: 5.34,
    p99ms: 52.38,
    errors: 3,
  })
  const sTime = `Collecting connection statistics for 5 seconds
*****

2756 connections in 1.61s; 1711.80 connections/user sec, bytes read 0
2756 connections in 6 real seconds, 0 bytes read per connection
`
  t.is(parseSTime(sTime), 2756)
  t.throws(() => parseSTime('s_time: cannot connect'), {
    message: /cannot read openssl s_time output/,
  })
})
