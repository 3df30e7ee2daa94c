// Backoffs from extreme (but accepted) configs. Attack tests of issue 14.
import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { constantBackoff, parseBackoff } from './index.js'

const fallback = constantBackoff(7)

/** The first `n` delays of `section`'s backoff with `random`, or the ConfigError refusing it. */
function delays(section: object, random: () => number, n = 6): number[] | ConfigError {
  try {
    const next = parseBackoff(new Section(section, 'backoff'), fallback)(random)
    return Array.from({ length: n }, () => next())
  } catch (e) {
    if (e instanceof ConfigError) return e
    throw e
  }
}

test('jittered with minMs 0 is refused, or its delays grow: never a constant 0', (t) => {
  const d = delays({ kind: 'jittered', minMs: 0, maxMs: 1000 }, () => 1)
  if (d instanceof ConfigError) t.regex(d.message, /minMs/)
  else
    t.true(
      d.some((ms) => ms > 0),
      `delays ${JSON.stringify(d)}`,
    )
})

test('a delay longer than a timer can wait (2^31 - 1 ms) is refused at parse', (t) => {
  for (const section of [
    { kind: 'constant', ms: 2 ** 32 },
    { kind: 'jittered', minMs: 1, maxMs: 2 ** 40 },
  ]) {
    const d = delays(section, () => 1, 40)
    t.true(
      d instanceof ConfigError || d.every((ms) => ms <= 2 ** 31 - 1),
      `${JSON.stringify(section)}: ${JSON.stringify(d).slice(0, 80)}`,
    )
  }
})
