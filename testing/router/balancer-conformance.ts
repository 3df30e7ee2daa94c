/**
 * The conformance suite of the balancer family: every kind runs it (`router/balancers/p2c.test.ts`, …) through
 * `balancerConformance(name, factory)`. Expected shares are the weights' ratios; the bounds
 * allow ±2 points, more than 8 standard deviations at 40,000 picks.
 */
import test from 'ava'
import { WEIGHT_KEY } from '../../router/balancers/endpoints.js'
import type { Balancer, BalancerFactory, Endpoint } from '../../router/model.js'
import { seededRandom } from '../random.js'

/** An address on 10.0.0.1 (or `host`), with a weight in its metadata when given. */
export function addr(port: number, weight?: number, host = '10.0.0.1') {
  return weight === undefined ? { host, port } : { host, port, meta: { [WEIGHT_KEY]: weight } }
}

/** Picks `n` times, each released at once with `latencyMs`; the picks per endpoint key. */
export function pickCounts(b: Balancer, n: number, latencyMs = 10): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const e = b.acquire()
    if (e === undefined) throw new Error('no endpoint picked')
    counts.set(e.key, (counts.get(e.key) ?? 0) + 1)
    b.release(e, latencyMs, true)
  }
  return counts
}

/** Acquires `n` times without releasing. */
export function hold(b: Balancer, n: number): Endpoint[] {
  const held: Endpoint[] = []
  for (let i = 0; i < n; i++) {
    const e = b.acquire()
    if (e === undefined) throw new Error('no endpoint picked')
    held.push(e)
  }
  return held
}

/** The share (in %) of `n` picks that went to each port of 10.0.0.1, in `ports` order. */
function shares(b: Balancer, ports: number[], n: number): number[] {
  const counts = pickCounts(b, n)
  return ports.map((p) => ((counts.get(`10.0.0.1:${p}`) ?? 0) / n) * 100)
}

/** Runs the family's contract tests against `factory`. */
export function balancerConformance(name: string, factory: BalancerFactory): void {
  emptyAndSingle(name, factory)
  updates(name, factory)
  pendingCounts(name, factory)
  weights(name, factory)
  avoiding(name, factory)
}

function avoiding(name: string, factory: BalancerFactory): void {
  test(`${name}: a pick avoiding an endpoint takes another while there is one`, (t) => {
    const b = factory(seededRandom(11))
    b.update([addr(80), addr(81), addr(82, 5)])
    const [first] = b.endpoints
    for (let i = 0; i < 3000; i++) {
      const e = b.acquire(first)
      t.not(e, undefined)
      t.not(e, first)
      if (e !== undefined) b.release(e, 1, true)
    }
    b.update([addr(80)])
    const only = b.acquire(b.endpoints[0])
    t.is(only?.key, '10.0.0.1:80', 'the only endpoint is taken even when avoided')
  })
}

function emptyAndSingle(name: string, factory: BalancerFactory): void {
  test(`${name}: no endpoints, no pick`, (t) => {
    const b = factory(seededRandom(1))
    t.is(b.acquire(), undefined)
    t.deepEqual(b.endpoints, [])
    b.update([addr(80)])
    b.update([])
    t.is(b.acquire(), undefined)
    t.deepEqual(b.endpoints, [])
  })

  test(`${name}: a single endpoint takes every request`, (t) => {
    const b = factory(seededRandom(2))
    b.update([addr(80)])
    const held = hold(b, 50)
    const [only] = b.endpoints
    t.is(only?.key, '10.0.0.1:80')
    t.true(held.every((e) => e === only))
    t.is(only?.pending, 50)
    for (const e of held) b.release(e, 5, true)
    t.is(only?.pending, 0)
  })
}

function updates(name: string, factory: BalancerFactory): void {
  test(`${name}: an update keeps the objects and state of the endpoints that stay`, (t) => {
    const b = factory(seededRandom(3))
    b.update([addr(80), addr(81)])
    const [a, c] = b.endpoints
    hold(b, 6)
    const before = [a?.pending, c?.pending]
    b.update([addr(82), addr(81, 3), addr(80)])
    t.deepEqual(
      b.endpoints.map((e) => e.key),
      ['10.0.0.1:82', '10.0.0.1:81', '10.0.0.1:80'],
    )
    t.is(b.endpoints[2], a)
    t.is(b.endpoints[1], c)
    t.deepEqual([a?.pending, c?.pending], before)
    t.is(c?.weight, 3)
    t.is(b.endpoints[0]?.pending, 0)
  })

  test(`${name}: duplicates collapse to the first; IPv6 keys are bracketed`, (t) => {
    const b = factory(seededRandom(4))
    b.update([addr(80), addr(80, 2), addr(80, undefined, '::1'), addr(81, 0.5, 'fe80::1')])
    t.deepEqual(
      b.endpoints.map((e) => [e.key, e.host, e.port, e.weight]),
      [
        ['10.0.0.1:80', '10.0.0.1', 80, 1],
        ['[::1]:80', '::1', 80, 1],
        ['[fe80::1]:81', 'fe80::1', 81, 0.5],
      ],
    )
  })

  test(`${name}: removed endpoints are never picked; releasing them later is harmless`, (t) => {
    const b = factory(seededRandom(5))
    b.update([addr(80), addr(81), addr(82)])
    const held = hold(b, 30)
    b.update([addr(81)])
    const [kept] = b.endpoints
    const keptHeld = held.filter((e) => e === kept).length
    t.is(kept?.pending, keptHeld)
    t.deepEqual([...pickCounts(b, 500)], [['10.0.0.1:81', 500]])
    for (const e of held) b.release(e, 7, false)
    t.true(held.every((e) => e.pending === 0))
    t.deepEqual([...pickCounts(b, 10)], [['10.0.0.1:81', 10]])
  })
}

function pendingCounts(name: string, factory: BalancerFactory): void {
  test(`${name}: pending counts what is in flight, never below zero`, (t) => {
    const random = seededRandom(6)
    const b = factory(random)
    b.update([80, 81, 82, 83, 84].map((p) => addr(p)))
    const held = hold(b, 1000)
    t.is(
      b.endpoints.reduce((sum, e) => sum + e.pending, 0),
      1000,
    )
    for (const e of b.endpoints) t.is(e.pending, held.filter((h) => h === e).length)
    while (held.length > 0) {
      const [e] = held.splice(Math.floor(random() * held.length), 1)
      if (e !== undefined) b.release(e, 1 + random() * 20, random() < 0.9)
    }
    t.true(b.endpoints.every((e) => e.pending === 0))
    const [first] = b.endpoints
    if (first !== undefined) b.release(first, 1, true)
    t.is(first?.pending, 0)
  })
}

function weights(name: string, factory: BalancerFactory): void {
  const within = (actual: number[], expected: number[]): boolean =>
    actual.every((a, i) => Math.abs(a - (expected[i] ?? NaN)) <= 2)

  test(`${name}: weights 3:1 share 40,000 picks 75/25`, (t) => {
    const b = factory(seededRandom(7))
    b.update([addr(80, 3), addr(81, 1)])
    const got = shares(b, [80, 81], 40_000)
    t.true(within(got, [75, 25]), String(got))
  })

  test(`${name}: weights 2:1:1 share 40,000 picks 50/25/25`, (t) => {
    const b = factory(seededRandom(8))
    b.update([addr(80, 1), addr(81, 2), addr(82, 1)])
    const got = shares(b, [80, 81, 82], 40_000)
    t.true(within(got, [25, 50, 25]), String(got))
  })

  test(`${name}: a zero-weight endpoint gets nothing while others have weight`, (t) => {
    const b = factory(seededRandom(9))
    b.update([addr(80, 0), addr(81), addr(82, 2)])
    const counts = pickCounts(b, 3000)
    t.is(counts.get('10.0.0.1:80'), undefined)
    t.is((counts.get('10.0.0.1:81') ?? 0) + (counts.get('10.0.0.1:82') ?? 0), 3000)
  })

  test(`${name}: when every weight is zero, all share evenly`, (t) => {
    const b = factory(seededRandom(10))
    b.update([addr(80, 0), addr(81, 0)])
    const got = shares(b, [80, 81], 40_000)
    t.true(within(got, [50, 50]), String(got))
  })
}
