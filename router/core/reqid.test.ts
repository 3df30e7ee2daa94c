import test from 'ava'
import { RequestIds } from './reqid.js'

test('request ids are 16 lower-case hex digits, distinct in a run, with a per-generator prefix', (t) => {
  const ids = new RequestIds(() => 0.5)
  const first = ids.next()
  t.is(first, '8000000080000001')
  t.is(ids.next(), '8000000080000002')
  const many = new Set(Array.from({ length: 10_000 }, () => ids.next()))
  t.is(many.size, 10_000)
  for (const id of [...many].slice(0, 100)) t.regex(id, /^[0-9a-f]{16}$/)
})

test('the counter wraps around without losing digits', (t) => {
  const ids = new RequestIds(() => 0.9999999999)
  t.regex(ids.next(), /^ffffffff0{8}$/)
})
