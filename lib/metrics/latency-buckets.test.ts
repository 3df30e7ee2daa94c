import test from 'ava'
import {
  LATENCY_BUCKETS,
  latencyBucketByUpperUs,
  latencyBucketLowerUs,
  latencyBucketOfUs,
  latencyBucketUpperUs,
} from './latency-buckets.js'

test('buckets are contiguous from 0 to 2^30 µs, each value inside its bounds', (t) => {
  let last = 0
  for (let us = 0; us < 2 ** 30; us = us < 5000 ? us + 1 : Math.floor(us * 1.001) + 1) {
    const k = latencyBucketOfUs(us)
    t.true(k === last || k === last + 1, `bucket of ${us} µs jumped from ${last} to ${k}`)
    last = k
    if (us < latencyBucketLowerUs(k) || us >= latencyBucketUpperUs(k)) {
      t.fail(`${us} µs is outside bucket ${k}`)
      break
    }
  }
  t.is(last, LATENCY_BUCKETS - 1)
  t.is(latencyBucketUpperUs(LATENCY_BUCKETS - 1), 2 ** 30)
  t.is(latencyBucketOfUs(2 ** 31), LATENCY_BUCKETS - 1)
})

test('bounds: 4 µs wide below 64 µs, then at most 1/8 of the lower bound', (t) => {
  t.deepEqual([0, 1, 15, 16, 17, 23, 24].map(latencyBucketLowerUs), [0, 4, 60, 64, 72, 120, 128])
  for (let k = 16; k < LATENCY_BUCKETS; k++) {
    const lo = latencyBucketLowerUs(k)
    t.true((latencyBucketUpperUs(k) - lo) * 8 <= lo, `bucket ${k} is too wide`)
  }
})

test('a bucket is found again from its upper bound; other numbers name no bucket', (t) => {
  for (let k = 0; k < LATENCY_BUCKETS; k++) t.is(latencyBucketByUpperUs(latencyBucketUpperUs(k)), k)
  t.is(latencyBucketByUpperUs(73), undefined)
  t.is(latencyBucketByUpperUs(0), undefined)
  t.is(latencyBucketByUpperUs(1.5), undefined)
})
