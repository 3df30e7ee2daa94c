import test from 'ava'
import { constant, ok, readPath, EMPTY_DTAB } from '../../dtabs/index.js'
import { DtabInterpreter } from '../../dtabs/interpreter.js'
import { fixtureFs } from '../../testing/router/interpreters.js'
import { MetricsRegistry } from '../metrics/index.js'
import { Bindings } from './bindings.js'
import { LocalDtabReader, NO_LOCAL_DTAB, OVERRIDE_CACHE_CHARS } from './local-dtab.js'

function bindings(maxSize: number, now: () => number = Date.now) {
  const metrics = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })
  const stats = metrics.router('r')
  const interpreter = new DtabInterpreter({ base: constant(ok(EMPTY_DTAB)), namers: fixtureFs() })
  const b = new Bindings({ interpreter, stats, maxSize, idleTtlMs: 10_000, now })
  const count = (name: string): number => stats.counter(`bindcache/path/${name}`).value
  return { b, count }
}

test('one entry per (shown local dtab, name): repeated lookups bind once', (t) => {
  const { b, count } = bindings(10)
  const a = b.get(NO_LOCAL_DTAB, readPath('/svc/a'), '/svc/a')
  t.is(b.get(NO_LOCAL_DTAB, readPath('/svc/a'), '/svc/a'), a)
  const local = new LocalDtabReader().read(undefined, ['/x => /y'])
  t.not(b.get(local, readPath('/svc/a'), '/svc/a'), a, 'another local dtab, another entry')
  t.not(b.get(NO_LOCAL_DTAB, readPath('/svc/b'), '/svc/b'), a)
  t.is(count('misses'), 3)
  t.is(b.size, 3)
})

test('bounded (the least recently used goes) and idle entries expire, each counted', (t) => {
  let now = 0
  const { b, count } = bindings(2, () => now)
  const a = b.get(NO_LOCAL_DTAB, readPath('/a'), '/a')
  b.get(NO_LOCAL_DTAB, readPath('/b'), '/b')
  now = 2_000
  t.is(b.get(NO_LOCAL_DTAB, readPath('/a'), '/a'), a, 'touch /a: /b is now the oldest')
  b.get(NO_LOCAL_DTAB, readPath('/c'), '/c')
  t.is(b.get(NO_LOCAL_DTAB, readPath('/a'), '/a'), a)
  t.is(count('evicts'), 1)
  now = 13_000
  b.sweep()
  t.is(count('expires'), 2)
  t.is(b.size, 0)
  t.not(b.get(NO_LOCAL_DTAB, readPath('/a'), '/a'), a, 'idle for 11 s: bound again')
  b.close()
  t.is(count('evicts'), 1, 'closing is not counted as evictions')
})

test('overrides hold at most OVERRIDE_CACHE_CHARS of text in the cache; names without one, any', (t) => {
  const { b, count } = bindings(1000)
  const reader = new LocalDtabReader()
  const names = Array.from({ length: 100 }, (_, i) => `/svc/name-${i}`)
  for (const name of names) b.get(NO_LOCAL_DTAB, readPath(name), name)
  // Each override about 3.3 Ki characters shown: the cache keeps 256 Ki / 3.3 Ki of them.
  const big = (i: number) => reader.read(undefined, [`/svc/a=>/b${i};${'/pad=>/pad;'.repeat(300)}`])
  for (let i = 0; i < 100; i++) b.get(big(i), readPath('/svc/a'), '/svc/a')
  const fits = Math.floor(OVERRIDE_CACHE_CHARS / big(0).shown.length)
  t.is(b.size - names.length, fits)
  t.is(count('evicts'), 100 - fits)
  for (const name of names)
    t.is(b.get(NO_LOCAL_DTAB, readPath(name), name), b.get(NO_LOCAL_DTAB, readPath(name), name))
  t.is(count('misses'), 200, 'every name without an override is still cached')
  const huge = reader.read(undefined, [`/svc/a=>/b;${'/pad=>/pad;'.repeat(24_000)}`])
  t.true(huge.shown.length > OVERRIDE_CACHE_CHARS)
  const size = b.size
  const entry = b.get(huge, readPath('/svc/a'), '/svc/a')
  t.not(
    b.get(huge, readPath('/svc/a'), '/svc/a'),
    entry,
    'an override longer than the bound is not kept',
  )
  t.is(b.size, size)
  t.is(entry.binding.get().type, 'ok', 'it still binds, for its own request')
})
