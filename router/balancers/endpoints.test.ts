import test from 'ava'
import {
  BalancedEndpoint,
  endpointKey,
  endpointWeight,
  endRequest,
  reconcile,
} from './endpoints.js'

test('endpointKey: host:port, IPv6 in brackets', (t) => {
  const table: [string, number, string][] = [
    ['10.0.0.1', 80, '10.0.0.1:80'],
    ['foo.example', 8080, 'foo.example:8080'],
    ['::1', 80, '[::1]:80'],
    ['2001:db8::7', 443, '[2001:db8::7]:443'],
    ['[::1]', 80, '[::1]:80'],
  ]
  for (const [host, port, key] of table) t.is(endpointKey(host, port), key)
})

test('endpointWeight: a finite number ≥ 0 from endpoint_addr_weight, else 1', (t) => {
  const table: [Record<string, unknown> | undefined, number][] = [
    [undefined, 1],
    [{}, 1],
    [{ endpoint_addr_weight: 2.5 }, 2.5],
    [{ endpoint_addr_weight: 0 }, 0],
    [{ endpoint_addr_weight: -1 }, 1],
    [{ endpoint_addr_weight: '3' }, 1],
    [{ endpoint_addr_weight: Number.NaN }, 1],
    [{ endpoint_addr_weight: Number.POSITIVE_INFINITY }, 1],
    [{ endpoint_addr_weight: null }, 1],
    [{ namer_nametree_weight: 4 }, 1],
  ]
  for (const [meta, w] of table) t.is(endpointWeight(meta), w, JSON.stringify(meta))
})

test('reconcile: keeps, adds, drops and collapses', (t) => {
  const make = (key: string, host: string, port: number, weight: number) =>
    new BalancedEndpoint(key, host, port, weight)
  const first = reconcile(
    [],
    [
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ],
    make,
  )
  const [a, b] = first
  if (a === undefined || b === undefined) return t.fail()
  a.pending = 4
  const w = (weight: number) => ({ endpoint_addr_weight: weight })
  const next = reconcile(
    first,
    [
      { host: 'c', port: 3 },
      { host: 'a', port: 1, meta: w(2) },
      { host: 'a', port: 1, meta: w(9) },
    ],
    make,
  )
  t.deepEqual(
    next.map((e) => e.key),
    ['c:3', 'a:1'],
  )
  t.is(next[1], a)
  t.is(a.pending, 4)
  t.is(a.weight, 2)
  t.deepEqual(first, [a, b])
})

test('endRequest: one less in flight, never below zero', (t) => {
  const e = new BalancedEndpoint('a:1', 'a', 1, 1)
  e.pending = 1
  endRequest(e)
  t.is(e.pending, 0)
  endRequest(e)
  t.is(e.pending, 0)
})
