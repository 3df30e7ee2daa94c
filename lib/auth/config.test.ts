import test from 'ava'
import { Section } from '../config/section.js'
import { parseIdentityProtection, parseProtection, parseTokenSource } from './config.js'

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
      "x.auth.writes.identities: client identities are accepted on namerd's interfaces only (interfaces[].auth)",
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

test('an identity protection: a token, identities, or both', (t) => {
  const s = new Section(
    {
      a: { identities: ['namerctl', 'spiffe://example.org/ops'] },
      b: { tokenFile: '/t', identities: ['ops'] },
      c: { tokenEnv: 'T' },
      d: 'none',
    },
    'interfaces[0].auth',
  )
  t.deepEqual(parseIdentityProtection(s, 'a'), {
    identities: ['namerctl', 'spiffe://example.org/ops'],
  })
  t.deepEqual(parseIdentityProtection(s, 'b'), { token: { tokenFile: '/t' }, identities: ['ops'] })
  t.deepEqual(parseIdentityProtection(s, 'c'), { token: { tokenEnv: 'T' } })
  t.is(parseIdentityProtection(s, 'd'), undefined)
})

test('bad identity protections are errors naming the place', (t) => {
  const cases: [unknown, string][] = [
    [
      {},
      'w: expected tokenFile (a path), tokenEnv (a variable name) or identities (client certificate names)',
    ],
    [{ identities: [] }, 'w.identities: must not be empty (or leave it out)'],
    [{ identities: 'ops' }, 'w.identities: expected a list, got string "ops"'],
    [
      { identities: [''] },
      'w.identities[0]: expected a name a client certificate carries (CN, DNS or URI)',
    ],
    [
      { identities: ['a'], token: 'x' },
      'w.token: a token is never written in the config file; use tokenFile (a path) or tokenEnv (an environment variable)',
    ],
    [{ identities: ['a'], other: 1 }, 'w: unknown key(s): other'],
  ]
  for (const [raw, message] of cases) {
    t.throws(
      () => parseIdentityProtection(new Section({ w: raw }, ''), 'w'),
      { message },
      JSON.stringify(raw),
    )
  }
})
