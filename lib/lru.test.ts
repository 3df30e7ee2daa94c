import test from 'ava'
import { Lru } from './lru.js'

test('the least recently used entry is evicted when full, and reported', (t) => {
  const evicted: string[] = []
  const lru = new Lru<string, number>(2, (k, _v, why) => evicted.push(`${k}:${why}`))
  lru.set('a', 1, 0)
  lru.set('b', 2, 0)
  t.is(lru.get('a', 5000), 1, 'touching a makes b the oldest')
  lru.set('c', 3, 5000)
  t.deepEqual(evicted, ['b:evict'])
  t.is(lru.get('b'), undefined)
  t.is(lru.size, 2)
})

test('sweep expires entries idle for longer than idleMs', (t) => {
  const evicted: string[] = []
  const lru = new Lru<string, number>(10, (k, _v, why) => evicted.push(`${k}:${why}`), 10_000)
  lru.set('old', 1, 0)
  lru.set('new', 2, 8_000)
  lru.sweep(12_000)
  t.deepEqual(evicted, ['old:expire'])
  t.is(lru.get('new', 12_000), 2)
})

test('replacing a value reports the old one; clear reports all', (t) => {
  const evicted: number[] = []
  const lru = new Lru<string, number>(10, (_k, v) => evicted.push(v))
  lru.set('a', 1)
  lru.set('a', 2)
  lru.clear()
  t.deepEqual(evicted, [1, 2])
  t.is(lru.size, 0)
})

test('with a weight bound, the oldest go until the weights fit; a too-heavy entry alone goes', (t) => {
  const evicted: string[] = []
  const weight = { of: (k: string) => k.length, max: 10 }
  const lru = new Lru<string, number>(100, (k) => evicted.push(k), Infinity, weight)
  lru.set('aaaa', 1)
  lru.set('bbbb', 2)
  t.deepEqual(evicted, [])
  lru.set('cccc', 3)
  t.deepEqual(evicted, ['aaaa'], '12 > 10: the oldest went')
  lru.set('bbbb', 4)
  t.deepEqual(evicted, ['aaaa', 'bbbb'], 'a replaced value is reported, its weight counted once')
  t.is(lru.size, 2)
  lru.set('x'.repeat(11), 5)
  t.is(lru.get('x'.repeat(11)), undefined, 'heavier than the bound alone: dropped at once')
  t.deepEqual(evicted, ['aaaa', 'bbbb', 'xxxxxxxxxxx'])
  t.is(lru.size, 2, 'the others stay')
  lru.set('dd', 6)
  lru.sweep()
  t.is(lru.get('dd'), 6, 'the weights were given back: a small entry fits again')
  const free = new Lru<string, number>(100, undefined, Infinity, { of: (_k, v) => v, max: 10 })
  free.set('weightless', 0)
  free.set('heavy', 8)
  free.set('heavier', 8)
  t.is(free.get('weightless'), 0, 'entries that weigh nothing are not dropped for the weights')
  t.is(free.get('heavy'), undefined)
})
