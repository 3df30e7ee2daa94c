import test from 'ava'
import { endedBetween, quantileMs, type Cumulative, type Reading } from './interval.js'

/** What ended, with the p99 in place of the buckets. */
function summary(then: Reading, now: Reading): object {
  const { requests, failures, buckets } = endedBetween(then, now)
  return { requests, failures, p99Ms: quantileMs(buckets, 0.99) }
}

const series = (ended: number, failures: number, buckets: [number, number][]): Cumulative => ({
  ended,
  failures,
  buckets: new Map(buckets),
})

test('differences summed over series; a new series counts whole; a vanished one not at all', (t) => {
  const then = new Map([
    ['a', series(10, 1, [[1024, 10]])],
    ['gone', series(5, 5, [[1024, 5]])],
  ])
  const now = new Map([
    [
      'a',
      series(110, 11, [
        [1024, 60],
        [106_496, 50],
      ]),
    ],
    ['new', series(7, 0, [[1024, 7]])],
  ])
  // 50 + 7 in the 960-1024 µs bucket, 50 in 98 304-106 496 µs: p99 in the latter
  t.deepEqual(summary(then, now), { requests: 107, failures: 10, p99Ms: 102.4 })
})

test('a series whose counts went down restarted: it counts from zero', (t) => {
  const then = new Map([['a', series(100, 10, [[1024, 100]])]])
  const now = new Map([['a', series(4, 1, [[1024, 4]])]])
  t.deepEqual(summary(then, now), { requests: 4, failures: 1, p99Ms: 0.992 })
})

test('no request: p99 undefined; quantiles by nearest rank at bucket midpoints', (t) => {
  const none = new Map([['a', series(3, 0, [[1024, 3]])]])
  t.deepEqual(summary(none, none), { requests: 0, failures: 0, p99Ms: undefined })
  const b = new Map([
    [4, 98],
    [1024, 1],
    [Infinity, 1],
  ])
  t.is(quantileMs(b, 0.5), 0.002)
  t.is(quantileMs(b, 0.99), 0.992)
  t.is(quantileMs(b, 1), 1.024) // +Inf: the largest finite bound
  t.is(quantileMs(new Map([[1000, 1]]), 0.99), 1) // not a bucket of the layout: its bound
})
