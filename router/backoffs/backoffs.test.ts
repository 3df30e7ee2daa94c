import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { constantBackoff, jitteredBackoff, parseBackoff } from './index.js'

const fallback = constantBackoff(7)

test('an absent section is the fallback; constant repeats its ms', (t) => {
  t.is(parseBackoff(undefined, fallback), fallback)
  const next = parseBackoff(new Section({ kind: 'constant', ms: 25 }, 'b'), fallback)()
  t.deepEqual([next(), next(), next()], [25, 25, 25])
})

test('jittered starts at minMs, stays within [minMs, maxMs] and at most triples', (t) => {
  let seed = 1
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const next = jitteredBackoff(100, 5000)(random)
  t.is(next(), 100)
  let previous = 100
  for (let i = 0; i < 200; i++) {
    const d = next()
    t.true(d >= 100 && d <= 5000 && d <= previous * 3, `delay ${d} after ${previous}`)
    previous = d
  }
})

test('jittered reaches maxMs when random is always 1, and stays at minMs when it is 0', (t) => {
  const high = jitteredBackoff(10, 500)(() => 1)
  t.deepEqual([high(), high(), high(), high(), high()], [10, 30, 90, 270, 500])
  const low = jitteredBackoff(10, 500)(() => 0)
  t.deepEqual([low(), low(), low()], [10, 10, 10])
})

test('bad sections are errors naming the place', (t) => {
  const bad = (raw: unknown): string =>
    t.throws(() => parseBackoff(new Section(raw, 'r.backoff'), fallback), {
      instanceOf: ConfigError,
    }).message
  t.regex(bad({ kind: 'exponential' }), /r\.backoff\.kind.*unknown kind "exponential"/)
  t.regex(bad({ kind: 'jittered', minMs: 50, maxMs: 10 }), /r\.backoff\.maxMs.*at least minMs/)
  t.regex(bad({ kind: 'jittered', minMs: 5 }), /r\.backoff\.maxMs.*required/)
  t.regex(bad({ kind: 'constant', ms: -1 }), /r\.backoff\.ms/)
  t.regex(bad({ kind: 'constant', ms: 1, extra: 2 }), /unknown key\(s\): extra/)
  t.regex(bad({}), /r\.backoff\.kind.*required/)
})
