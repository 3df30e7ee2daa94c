#!/usr/bin/env node
// The README's first command: shows dtab routing and a canary shift with the real namerctl,
// offline, on the example dtab and io.l5d.fs directory (copied to a temp dir, so the
// examples stay untouched). Replaced by the full router + namerd demo once those land.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = mkdtempSync(join(tmpdir(), 'dtab-demo-'))
const dtab = join(work, 'canary.dtab')
const disco = join(work, 'disco')
cpSync(join(root, 'examples/dtabs/canary.dtab'), dtab)
cpSync(join(root, 'examples/disco'), disco, { recursive: true })

function step(title, args) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n$ namerctl ${args.join(' ')}\n`)
  const r = spawnSync(process.execPath, [join(root, 'bin/namerctl.js'), ...args], {
    encoding: 'utf8',
  })
  process.stdout.write(r.stdout + r.stderr)
  return r.status
}

const resolve = ['--dtab-file', dtab, '--fs-root', disco]
try {
  step('The dtab, in canonical form', ['dtab', 'fmt', dtab])
  step('How /svc/users is delegated, step by step', ['dtab', 'delegate', '/svc/users', ...resolve])
  step('What /svc/users binds to: a 99/1 canary split', ['dtab', 'bind', '/svc/users', ...resolve])
  const shifted = readFileSync(dtab, 'utf8').replace(
    '99 * /srv/users-v1 & 1 * /srv/users-v2',
    '50 * /srv/users-v1 & 50 * /srv/users-v2',
  )
  writeFileSync(dtab, shifted)
  step('Canary shift: the users dentry now says 50/50', ['dtab', 'bind', '/svc/users', ...resolve])
  writeFileSync(join(disco, 'users-v2'), '127.0.0.1 9101\n127.0.0.1 9102\n')
  step('A second v2 endpoint appears in the io.l5d.fs directory', [
    'dtab',
    'bind',
    '/svc/users',
    ...resolve,
  ])
  step('Fail over: zone a has no file, so billing falls through to zone b', [
    'dtab',
    'delegate',
    '/svc/billing',
    ...resolve,
  ])
  writeFileSync(join(work, 'broken.dtab'), '/svc => /srv;\n/svc/users = > /srv/users-v2;\n')
  const status = step('A syntax error points at the character', [
    'dtab',
    'fmt',
    join(work, 'broken.dtab'),
  ])
  process.stdout.write(`(exit status ${status})\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
