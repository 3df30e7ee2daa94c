import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { errorCode } from '../errors.js'
import { BearerGuard, bearerOf, TOKEN_RECHECK_MS, tokensEqual } from './bearer.js'
import { readToken } from './token.js'
import { eventually } from '../../testing/eventually.js'

const SECRET = 'tok-3f9a1c77e2'

test.before(() => {
  process.env['GUARD_TEST_TOKEN'] = SECRET
})

function tempDir(t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('tokensEqual: equal strings only, whatever their lengths', (t) => {
  t.true(tokensEqual(SECRET, SECRET))
  t.false(tokensEqual(SECRET, `${SECRET}x`))
  t.false(tokensEqual(SECRET, SECRET.slice(0, -1)))
  t.false(tokensEqual(SECRET, ''))
  t.false(tokensEqual(SECRET, SECRET.toUpperCase()))
})

test('bearerOf reads "Bearer <token>" (scheme in any case), nothing else', (t) => {
  t.is(bearerOf(`Bearer ${SECRET}`), SECRET)
  t.is(bearerOf(`bearer ${SECRET} `), SECRET)
  t.is(bearerOf(undefined), undefined)
  t.is(bearerOf(`Basic ${SECRET}`), undefined)
  t.is(bearerOf('Bearer'), undefined)
  t.is(bearerOf('Bearer a b'), undefined)
})

test('readToken: a file (trimmed) or a variable; failures name the source, never a token', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'token')
  writeFileSync(file, `${SECRET}\n`)
  t.is(readToken({ tokenFile: file }), SECRET)
  t.is(readToken({ tokenEnv: 'T' }, { T: ` ${SECRET} ` }), SECRET)
  const cases: [() => unknown, RegExp][] = [
    [() => readToken({ tokenFile: join(dir, 'missing') }), /cannot read file .*missing \(ENOENT\)/],
    [() => readToken({ tokenEnv: 'T' }, {}), /environment variable T is not set/],
    [() => readToken({ tokenEnv: 'T' }, { T: '  ' }), /environment variable T is empty/],
  ]
  writeFileSync(join(dir, 'empty'), '\n')
  cases.push([() => readToken({ tokenFile: join(dir, 'empty') }), /file .*empty is empty/])
  for (const [read, message] of cases) {
    const e = t.throws(read, { message })
    t.is(errorCode(e), 'ERR_AUTH_TOKEN')
  }
})

test('a guard: no header ERR_UNAUTHENTICATED, wrong token ERR_FORBIDDEN, messages without tokens', (t) => {
  const guard = new BearerGuard({ tokenEnv: 'GUARD_TEST_TOKEN' }, {})
  t.teardown(() => guard.close())
  t.notThrows(() => guard.check(`Bearer ${process.env['GUARD_TEST_TOKEN'] ?? ''}`))
  const missing = t.throws(() => guard.check(undefined))
  t.is(errorCode(missing), 'ERR_UNAUTHENTICATED')
  const wrong = t.throws(() => guard.check('Bearer not-the-token'))
  t.is(errorCode(wrong), 'ERR_FORBIDDEN')
  t.false(wrong?.message.includes('not-the-token'))
  t.false(wrong?.message.includes(SECRET))
})

test('a rotated token file is read again; a failed read keeps the old token', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'token')
  writeFileSync(file, 'first-token')
  const errors: string[] = []
  const guard = new BearerGuard({ tokenFile: file }, { onReloadError: (m) => errors.push(m) })
  t.teardown(() => guard.close())
  writeFileSync(file, 'second-token')
  const accepts = (token: string): boolean => {
    try {
      guard.check(`Bearer ${token}`)
      return true
    } catch {
      return false
    }
  }
  await eventually('the rotated token', () => accepts('second-token'), TOKEN_RECHECK_MS * 5)
  t.throws(() => guard.check('Bearer first-token'))
  writeFileSync(file, '')
  guard.reload()
  t.notThrows(() => guard.check('Bearer second-token'), 'the old token stays in use')
  t.regex(errors.join('\n'), /is empty; the previous token stays in use/)
  writeFileSync(file, 'third token\n')
  guard.reload()
  t.notThrows(() => guard.check('Bearer second-token'), 'a token no client can send is not taken')
  t.regex(errors.join('\n'), /has characters other than .*; the previous token stays in use/)
  t.false(errors.join('\n').includes('second-token'))
  t.false(errors.join('\n').includes('third'))
})
