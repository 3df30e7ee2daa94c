import test from 'ava'
import { Section } from '../config/section.js'
import { parseProtection, parseTokenSource } from './config.js'

const source = (raw: unknown): unknown => parseTokenSource(new Section(raw, 'x.auth.writes'))

test('a token source: tokenFile or tokenEnv', (t) => {
  t.deepEqual(source({ tokenFile: '/etc/namerd/token' }), { tokenFile: '/etc/namerd/token' })
  t.deepEqual(source({ tokenEnv: 'NAMERD_TOKEN' }), { tokenEnv: 'NAMERD_TOKEN' })
})

test('bad token sources are errors naming the place, never showing a token', (t) => {
  const cases: [unknown, string][] = [
    [
      { token: 'hunter2-secret' },
      'x.auth.writes.token: a token is never written in the config file; use tokenFile (a path) or tokenEnv (an environment variable)',
    ],
    [{}, 'x.auth.writes: expected tokenFile (a path) or tokenEnv (a variable name)'],
    [
      { tokenFile: 'a', tokenEnv: 'B' },
      'x.auth.writes: give one of tokenFile and tokenEnv, not both',
    ],
    [{ tokenFile: ' ' }, 'x.auth.writes.tokenFile: must not be empty'],
    [{ tokenEnv: 3 }, 'x.auth.writes.tokenEnv: expected a string, got number 3'],
    [{ tokenFile: 'a', extra: 1 }, 'x.auth.writes: unknown key(s): extra'],
    [
      { identities: ['client.example'] },
      'x.auth.writes.identities: client identities need TLS on this interface, which is not supported here yet',
    ],
  ]
  for (const [raw, message] of cases) {
    const e = t.throws(() => source(raw), { message }, JSON.stringify(raw))
    t.false(e?.message.includes('hunter2-secret'))
  }
})

test('a protection: absent or none is open; anything else a token source', (t) => {
  const s = new Section(
    { reads: 'none', writes: { tokenEnv: 'W' }, other: 'all' },
    'interfaces[0].auth',
  )
  t.is(parseProtection(s, 'reads'), undefined)
  t.is(parseProtection(s, 'absent'), undefined)
  t.deepEqual(parseProtection(s, 'writes'), { tokenEnv: 'W' })
  t.throws(() => parseProtection(s, 'other'), {
    message: 'interfaces[0].auth.other: expected none or { tokenFile | tokenEnv }, got "all"',
  })
})
