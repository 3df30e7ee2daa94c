import test from 'ava'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { errorCode } from '../lib/errors.js'
import { resolveToken } from './token.js'

function tree(t: { teardown: (f: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'namerctl-token-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  writeFileSync(join(root, 'flag-token'), 'from-flag\n')
  mkdirSync(join(root, 'conf'))
  writeFileSync(join(root, 'conf', 'file-token'), 'from-config')
  writeFileSync(join(root, 'conf', '.namerctl.yaml'), 'token-file: file-token\n')
  mkdirSync(join(root, 'conf', 'sub'))
  return root
}

test('the token: --token-file, then NAMERCTL_TOKEN, then token-file (relative to its file)', (t) => {
  const root = tree(t)
  const cwd = join(root, 'conf', 'sub')
  const flag = join(root, 'flag-token')
  t.is(resolveToken({ flag, env: 'from-env', cwd }), 'from-flag')
  t.is(resolveToken({ env: ' from-env ', cwd }), 'from-env')
  t.is(resolveToken({ env: '', cwd }), 'from-config', 'an empty variable is unset')
  t.is(resolveToken({ cwd: root }), undefined, 'none: no token')
})

test('a token file that cannot be read is a config error naming it, not showing a token', (t) => {
  const root = tree(t)
  writeFileSync(join(root, 'empty'), ' \n')
  for (const [flag, message] of [
    [join(root, 'absent'), /cannot read file .*absent \(ENOENT\)/],
    [join(root, 'empty'), /file .*empty is empty/],
  ] as const) {
    const e = t.throws(() => resolveToken({ flag, cwd: root }), { message })
    t.is(errorCode(e), 'ERR_NAMERCTL_CONFIG')
  }
  writeFileSync(join(root, '.namerctl.json'), JSON.stringify({ 'token-file': 3 }))
  t.throws(() => resolveToken({ cwd: root }), { message: /token-file: expected a string/ })
})

test('a token no header can carry (a space, a non-ASCII character) is a config error', (t) => {
  const root = tree(t)
  writeFileSync(join(root, 'spaced'), 'two words\n')
  const fromFile = t.throws(() => resolveToken({ flag: join(root, 'spaced'), cwd: root }), {
    message: /file .*spaced has characters other than/,
  })
  t.is(errorCode(fromFile), 'ERR_NAMERCTL_CONFIG')
  const fromEnv = t.throws(() => resolveToken({ env: 'euro€', cwd: root }), {
    message: /environment variable NAMERCTL_TOKEN has characters other than/,
  })
  t.is(errorCode(fromEnv), 'ERR_NAMERCTL_CONFIG')
  t.false(`${fromFile?.message}${fromEnv?.message}`.includes('euro'), 'no token shown')
})
