import test from 'ava'
import { namerdError } from './protocol.js'

test('namerdError: only an object whose single key is error, with a string code and message', (t) => {
  const e = { code: 'ERR_MAX_DEPTH', message: 'too deep' }
  t.deepEqual(namerdError({ error: e }), e)
  t.deepEqual(namerdError({ error: { ...e, at: 3 } }), e)
  const values: unknown[] = [
    [],
    [{ prefix: '/a', dst: '/b' }],
    null,
    'error',
    { error: 'x' },
    { error: { code: 1, message: 'm' } },
    { error: { code: 'c' } },
    { error: e, type: 'leaf' },
    { error: [e] },
  ]
  for (const v of values) t.is(namerdError(v), undefined, JSON.stringify(v))
})
