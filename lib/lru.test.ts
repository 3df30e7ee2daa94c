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
