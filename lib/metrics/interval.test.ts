import test from 'ava'
import { endedBetween, quantileMs, rebased, type Cumulative, type Reading } from './interval.js'

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

test('rebased: a summed series that went down counts from the reading that saw it; others as before', (t) => {
  const open = new Map([
    ['sum', series(1000, 10, [[1024, 1000]])],
    ['single', series(100, 10, [[1024, 100]])],
    ['grew', series(50, 0, [[1024, 50]])],
  ])
  // A worker of `sum` restarted (it had served 600); `single`, one process, restarted too.
  const first = new Map([
    ['sum', series(420, 5, [[1024, 420]])],
    ['single', series(4, 1, [[1024, 4]])],
    ['grew', series(60, 0, [[1024, 60]])],
  ])
  const sums = (key: string) => key !== 'single'
  const base = rebased(open, first, sums)
  t.deepEqual(summary(base, first), { requests: 4 + 10, failures: 1, p99Ms: 0.992 })
  const later = new Map([
    ['sum', series(470, 7, [[1024, 470]])],
    ['single', series(14, 1, [[1024, 14]])],
    ['grew', series(70, 0, [[1024, 70]])],
  ])
  t.deepEqual(summary(rebased(base, later, sums), later), {
    requests: 50 + 14 + 20,
    failures: 2 + 1,
    p99Ms: 0.992,
  })
  t.is(rebased(open, open, sums), open, 'nothing went down: the same base')
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
