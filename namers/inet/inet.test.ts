import test from 'ava'
import { constant, waitFor, type Var } from '../../dtabs/activity.js'
import type { Addr } from '../../dtabs/name.js'
import { watchDns, type DnsLookup } from './dns.js'
import { fixedInetResolver, inetAddr, inetResolver, parseJavaInt } from './inet.js'

test('parseJavaInt follows Integer.parseInt', (t) => {
  const cases: [string, number | undefined][] = [
    ['80', 80],
    ['+80', 80],
    ['0080', 80],
    ['-1', -1],
    ['-0', 0],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['2147483648', undefined],
    ['-2147483649', undefined],
    ['99999999999999999999', undefined],
    ['', undefined],
    ['+', undefined],
    ['-', undefined],
    ['+-1', undefined],
    [' 80', undefined],
    ['80 ', undefined],
    ['0x50', undefined],
    ['1e3', undefined],
    ['1_000', undefined],
    ['8.0', undefined],
    ['\u0668\u0660', 80], // Arabic-Indic digits: Character.digit accepts any Nd digit
    ['\uff18\uff10', 80], // fullwidth digits
    ['\u096f', 9], // Devanagari nine
    ['\u00b2', undefined], // superscript two is No, not Nd
    ['\ud835\udfce', undefined], // a supplementary digit is two chars, neither a digit
  ]
  for (const [text, expected] of cases) t.is(parseJavaInt(text), expected, JSON.stringify(text))
})

test('inetAddr fails ports outside 0..65535 without resolving', (t) => {
  const asked: string[] = []
  const resolve = (host: string, port: number): Var<Addr> => {
    asked.push(`${host}:${port}`)
    return constant<Addr>({ type: 'neg' })
  }
  t.deepEqual(inetAddr(resolve, 'h', -1).get(), { type: 'failed', cause: 'port out of range:-1' })
  t.deepEqual(inetAddr(resolve, 'h', 65536).get(), {
    type: 'failed',
    cause: 'port out of range:65536',
  })
  t.deepEqual(inetAddr(resolve, 'h', 0).get(), { type: 'neg' })
  t.deepEqual(inetAddr(resolve, 'h', 65535).get(), { type: 'neg' })
  t.deepEqual(asked, ['h:0', 'h:65535'])
})

function counting(answer: readonly string[]): { lookup: DnsLookup; asked: string[] } {
  const asked: string[] = []
  const lookup: DnsLookup = (host) => {
    asked.push(host)
    return Promise.resolve(answer)
  }
  return { lookup, asked }
}

test('inetResolver: literals, localhost and the empty host are constant, without DNS', (t) => {
  const { lookup, asked } = counting(['10.9.9.9'])
  const resolve = inetResolver({ lookup })
  for (const [host, ip] of [
    ['127.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['localhost', '127.0.0.1'], // Finagle's DnsResolver: localhost is the loopback (RFC 6761)
    ['', '127.0.0.1'],
  ] as const) {
    const v = resolve(host, 8080)
    t.true(v.constant, host)
    t.deepEqual(v.get(), { type: 'bound', addrs: [{ host: ip, port: 8080 }] }, host)
  }
  t.deepEqual(asked, [])
})

test('inetResolver: a name is pending and unresolved until observed', async (t) => {
  const { lookup, asked } = counting(['10.0.0.7', '10.0.0.8'])
  const v = inetResolver({ lookup })('svc.example', 9000)
  t.false(v.constant)
  t.deepEqual(v.get(), { type: 'pending' })
  t.deepEqual(asked, [])
  const stop = v.subscribe(() => {})
  const addr = await waitFor(
    v,
    (a) => a.type !== 'pending',
    2000,
    () => new Error('timeout'),
  )
  stop()
  t.deepEqual(addr, {
    type: 'bound',
    addrs: [
      { host: '10.0.0.7', port: 9000 },
      { host: '10.0.0.8', port: 9000 },
    ],
  })
  t.deepEqual(asked, ['svc.example'])
})

test('fixedInetResolver: one lookup per name, failures are not cached', async (t) => {
  const asked: string[] = []
  let fail = true
  const lookup: DnsLookup = (host) => {
    asked.push(host)
    if (host === 'flaky' && fail) {
      fail = false
      return Promise.reject(
        Object.assign(new Error('getaddrinfo EAI_AGAIN flaky'), { code: 'EAI_AGAIN' }),
      )
    }
    return Promise.resolve(['10.1.1.1'])
  }
  const resolve = fixedInetResolver({ lookup })
  const settled = async (v: Var<Addr>): Promise<Addr> => {
    const stop = v.subscribe(() => {})
    const a = await waitFor(
      v,
      (x) => x.type !== 'pending',
      2000,
      () => new Error('timeout'),
    )
    stop()
    return a
  }
  t.deepEqual(await settled(resolve('a', 1)), {
    type: 'bound',
    addrs: [{ host: '10.1.1.1', port: 1 }],
  })
  t.deepEqual(await settled(resolve('a', 2)), {
    type: 'bound',
    addrs: [{ host: '10.1.1.1', port: 2 }],
  })
  t.deepEqual(await settled(resolve('flaky', 3)), {
    type: 'failed',
    cause: 'getaddrinfo EAI_AGAIN flaky',
  })
  t.deepEqual(await settled(resolve('flaky', 3)), {
    type: 'bound',
    addrs: [{ host: '10.1.1.1', port: 3 }],
  })
  t.deepEqual(asked, ['a', 'flaky', 'flaky'])
})

test('real DNS: localhost resolves to a loopback address', async (t) => {
  const v = watchDns('localhost', 4140)
  const stop = v.subscribe(() => {})
  t.teardown(stop)
  const addr = await waitFor(
    v,
    (a) => a.type !== 'pending',
    10000,
    () => new Error('no answer'),
  )
  if (addr.type !== 'bound') return void t.fail(JSON.stringify(addr))
  t.true(addr.addrs.length > 0)
  for (const a of addr.addrs) {
    t.true(a.host === '127.0.0.1' || a.host === '::1', a.host)
    t.is(a.port, 4140)
  }
})

test('the inet resolver gives the same Var for the same host and port', (t) => {
  const resolve = inetResolver({ lookup: async () => ['10.9.9.9'] })
  t.is(resolve('10.0.0.1', 80), resolve('10.0.0.1', 80))
  t.is(resolve('svc.example', 80), resolve('svc.example', 80))
  t.not(resolve('10.0.0.1', 80), resolve('10.0.0.1', 81))
})
