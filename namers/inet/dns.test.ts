import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor, type Var } from '../../dtabs/activity.js'
import type { Addr } from '../../dtabs/name.js'
import { watchDns, type DnsLookup } from './dns.js'

type Answer = readonly string[] | { code: string }

/** A fake DNS that gives the scripted answers in turn, then repeats the last one. */
function scripted(...answers: Answer[]): { lookup: DnsLookup; count: () => number } {
  let calls = 0
  const lookup: DnsLookup = (host) => {
    const a = answers[Math.min(calls++, answers.length - 1)] as Answer
    if (!('code' in a)) return Promise.resolve(a)
    return Promise.reject(Object.assign(new Error(`getaddrinfo ${a.code} ${host}`), a))
  }
  return { lookup, count: () => calls }
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

const at = (...hosts: string[]): Addr => ({
  type: 'bound',
  addrs: hosts.map((host) => ({ host, port: 80 })),
})

/** Observes `v` until `ready` holds for its value. */
async function until(v: Var<Addr>, ready: (a: Addr) => boolean): Promise<Addr> {
  return waitFor(v, ready, 2000, () => new Error(`stuck at ${JSON.stringify(v.get())}`))
}

test.serial('polls while observed and holds no timer once unobserved', async (t) => {
  const before = timers()
  const dns = scripted(['10.0.0.1'], ['10.0.0.2'])
  const v = watchDns('svc', 80, { lookup: dns.lookup, pollMs: 10 })
  t.is(timers(), before, 'nothing runs before it is observed')
  const stop = v.subscribe(() => {})
  t.deepEqual(await until(v, (a) => a.type === 'bound'), at('10.0.0.1'))
  t.deepEqual(
    await until(v, (a) => a.type === 'bound' && a.addrs[0]?.host === '10.0.0.2'),
    at('10.0.0.2'),
  )
  t.is(timers(), before + 1)
  stop()
  t.is(timers(), before, 'the poll timer is cleared')
  const asked = dns.count()
  await sleep(50)
  t.is(dns.count(), asked, 'no lookups after the last observer left')
  t.is(timers(), before)
  t.deepEqual(v.get(), at('10.0.0.2'), 'the last value is kept')
})

test.serial('observing again resumes polling', async (t) => {
  const dns = scripted(['10.0.0.1'])
  const v = watchDns('svc', 80, { lookup: dns.lookup, pollMs: 10 })
  const first = v.subscribe(() => {})
  await until(v, (a) => a.type === 'bound')
  first()
  const asked = dns.count()
  const second = v.subscribe(() => {})
  await sleep(40)
  second()
  t.true(dns.count() > asked + 1)
})

test('an unchanged (or only reordered) answer does not notify observers', async (t) => {
  const dns = scripted(['10.0.0.1', '10.0.0.2', '10.0.0.1'], ['10.0.0.2', '10.0.0.1'])
  const v = watchDns('svc', 80, { lookup: dns.lookup, pollMs: 5 })
  let changes = 0
  const stop = v.subscribe(() => changes++)
  await sleep(60)
  stop()
  t.true(dns.count() >= 3)
  t.is(changes, 1)
  t.deepEqual(v.get(), at('10.0.0.1', '10.0.0.2'), 'duplicate addresses are one endpoint')
})

test('a transient error keeps the last good address set', async (t) => {
  const dns = scripted(['10.0.0.1'], { code: 'EAI_AGAIN' }, { code: 'ECONNREFUSED' })
  const v = watchDns('svc', 80, { lookup: dns.lookup, pollMs: 5 })
  const stop = v.subscribe(() => {})
  await until(v, (a) => a.type === 'bound')
  while (dns.count() < 4) await sleep(5)
  stop()
  t.deepEqual(v.get(), at('10.0.0.1'))
})

test('an error before any answer is failed, with the message', async (t) => {
  const dns = scripted({ code: 'EAI_AGAIN' }, ['10.0.0.3'])
  const v = watchDns('svc', 80, { lookup: dns.lookup, pollMs: 5 })
  const stop = v.subscribe(() => {})
  t.deepEqual(await until(v, (a) => a.type !== 'pending'), {
    type: 'failed',
    cause: 'getaddrinfo EAI_AGAIN svc',
  })
  t.deepEqual(await until(v, (a) => a.type === 'bound'), at('10.0.0.3'), 'and recovers')
  stop()
})

test('ENOTFOUND is Neg, even after a good answer', async (t) => {
  const dns = scripted(['10.0.0.1'], { code: 'ENOTFOUND' })
  const v = watchDns('svc', 80, { lookup: dns.lookup, pollMs: 5 })
  const stop = v.subscribe(() => {})
  await until(v, (a) => a.type === 'bound')
  t.deepEqual(await until(v, (a) => a.type === 'neg'), { type: 'neg' })
  stop()
})

test('an empty answer is a bound name with no endpoints', async (t) => {
  const v = watchDns('svc', 80, { lookup: scripted([]).lookup, pollMs: 1000 })
  const stop = v.subscribe(() => {})
  t.deepEqual(await until(v, (a) => a.type !== 'pending'), { type: 'bound', addrs: [] })
  stop()
})
