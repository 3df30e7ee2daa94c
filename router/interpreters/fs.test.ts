/**
 * The io.l5d.fs interpreter against real temporary dtab files: every change must reach a
 * subscribed binding within 1 s; a bad edit keeps the last good dtab and is logged once.
 */
import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EMPTY_DTAB, readDtab, readPath, showDtab } from '../../dtabs/index.js'
import type { Interpreter } from '../model.js'
import { parseInterpreter, type InterpreterEnv } from './index.js'
import { fixtureFs, shown, until } from '../../testing/router/interpreters.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function tempFile(t: ExecutionContext, text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fs-interpreter-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'router.dtab')
  if (text !== undefined) writeFileSync(file, text)
  return file
}

function open(
  t: ExecutionContext,
  file: string,
  env: Partial<InterpreterEnv> = {},
): { interp: Interpreter; logs: string[] } {
  const logs: string[] = []
  const spec = parseInterpreter({ kind: 'io.l5d.fs', dtabFile: file }, 'routers[0].interpreter')
  const interp = spec.make({
    namers: fixtureFs(),
    dtab: EMPTY_DTAB,
    log: (m) => logs.push(m.replace(file, '<file>')),
    ...env,
  })
  t.teardown(() => interp.close())
  return { interp, logs }
}

/** Replaces the file's content the way editors do: write aside, rename into place. */
function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text)
  renameSync(`${file}.tmp`, file)
}

test('binds with the file dtab and follows edits within 1 s', async (t) => {
  const file = tempFile(t, '/svc => /#/io.l5d.fs;\n')
  const { interp, logs } = open(t, file)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.is(shown(users.get()), 'ok /#/io.l5d.fs/users', 'the first read is synchronous')
  const heard: string[] = []
  t.teardown(users.subscribe((s) => heard.push(shown(s))))

  writeFileSync(
    file,
    '/svc => /#/io.l5d.fs;\n/svc/users => 99 * /#/io.l5d.fs/users-v1 & 1 * /#/io.l5d.fs/users-v2;\n',
  )
  await until(users, 'ok 99.00*/#/io.l5d.fs/users-v1 & /#/io.l5d.fs/users-v2')
  replace(
    file,
    '# comments are fine\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users-v2;\n',
  )
  await until(users, 'ok /#/io.l5d.fs/users-v2')
  t.is(showDtab(interp.baseDtab()), '/svc=>/#/io.l5d.fs;/svc/users=>/#/io.l5d.fs/users-v2')
  t.deepEqual(heard, [
    'ok /#/io.l5d.fs/users',
    'ok 99.00*/#/io.l5d.fs/users-v1 & /#/io.l5d.fs/users-v2',
    'ok /#/io.l5d.fs/users-v2',
  ])
  t.deepEqual(logs, [
    'io.l5d.fs interpreter: <file>: dtab loaded (2 dentries)',
    'io.l5d.fs interpreter: <file>: dtab loaded (2 dentries)',
  ])
})

test('a bad edit keeps the last good dtab, is logged once, and a fix is taken', async (t) => {
  const file = tempFile(t, '/svc => /#/io.l5d.fs;')
  const { interp, logs } = open(t, file, { dtabFilePollMs: 50 })
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(users.subscribe(() => undefined))

  replace(file, '/svc => /#/io.l5d.fs/users-v2 &')
  await sleep(400)
  t.is(shown(users.get()), 'ok /#/io.l5d.fs/users')
  t.is(showDtab(interp.baseDtab()), '/svc=>/#/io.l5d.fs')
  replace(file, '/svc => /#/io.l5d.fs/users-v2 &  ')
  await sleep(300)
  replace(file, '/svc/users => /#/io.l5d.fs/users-v1')
  await until(users, 'ok /#/io.l5d.fs/users-v1')
  t.deepEqual(logs, [
    "io.l5d.fs interpreter: <file>: '(', '/', '!', '~' or '$' expected but end of input found at line 1, column 32: '… /#/io.l5d.fs/users-v2 &[]'; keeping the last good dtab",
    "io.l5d.fs interpreter: <file>: '(', '/', '!', '~' or '$' expected but end of input found at line 1, column 34: '…#/io.l5d.fs/users-v2 &  []'; keeping the last good dtab",
    'io.l5d.fs interpreter: <file>: dtab loaded (1 dentries)',
  ])
})

test('the router dtab is appended to the file dtab, so it wins', (t) => {
  const file = tempFile(t, '/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users-v1')
  const { interp } = open(t, file, { dtab: readDtab('/svc/users => /#/io.l5d.fs/users-v2') })
  t.is(shown(interp.bind(EMPTY_DTAB, readPath('/svc/users')).get()), 'ok /#/io.l5d.fs/users-v2')
  t.is(
    showDtab(interp.baseDtab()),
    '/svc=>/#/io.l5d.fs;/svc/users=>/#/io.l5d.fs/users-v1;/svc/users=>/#/io.l5d.fs/users-v2',
  )
  const local = readDtab('/svc/users => /#/io.l5d.fs/users')
  t.is(shown(interp.bind(local, readPath('/svc/users')).get()), 'ok /#/io.l5d.fs/users')
})

test('a missing file: pending until it appears; deleted later: the last good dtab stays', async (t) => {
  const file = tempFile(t)
  const { interp, logs } = open(t, file)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.is(shown(users.get()), 'pending')
  t.is(showDtab(interp.baseDtab()), '')
  t.teardown(users.subscribe(() => undefined))
  writeFileSync(file, '/svc => /#/io.l5d.fs')
  await until(users, 'ok /#/io.l5d.fs/users')
  unlinkSync(file)
  await sleep(700)
  t.is(shown(users.get()), 'ok /#/io.l5d.fs/users')
  t.deepEqual(logs, [
    'io.l5d.fs interpreter: <file>: router.dtab does not exist; no dtab yet',
    'io.l5d.fs interpreter: <file>: dtab loaded (1 dentries)',
    'io.l5d.fs interpreter: <file>: router.dtab does not exist; keeping the last good dtab',
  ])
})

test('a file that does not parse at start fails bindings until it is fixed', async (t) => {
  const file = tempFile(t, '/svc =>')
  const { interp } = open(t, file)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.is(
    shown(users.get()),
    "failed: '(', '/', '!', '~' or '$' expected but end of input found at line 1, column 8: '/svc =>[]'",
  )
  t.teardown(users.subscribe(() => undefined))
  writeFileSync(file, '/svc => /#/io.l5d.fs')
  await until(users, 'ok /#/io.l5d.fs/users')
})

test('after close, edits are no longer followed', async (t) => {
  const file = tempFile(t, '/svc => /#/io.l5d.fs')
  const { interp } = open(t, file, { dtabFilePollMs: 50 })
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(users.subscribe(() => undefined))
  interp.close()
  interp.close()
  writeFileSync(file, '/svc => /#/io.l5d.fs/users-v2')
  await sleep(300)
  t.is(shown(users.get()), 'ok /#/io.l5d.fs/users')
})

test('io.l5d.fs interpreter config', (t) => {
  const at = 'routers[0].interpreter'
  t.is(
    parseInterpreter({ kind: 'io.l5d.fs', dtabFile: 'x.dtab', transformers: [] }, at).kind,
    'io.l5d.fs',
  )
  const bad: [raw: unknown, message: string][] = [
    [{ kind: 'io.l5d.fs' }, 'routers[0].interpreter.dtabFile: required'],
    [{ kind: 'io.l5d.fs', dtabFile: '' }, 'routers[0].interpreter.dtabFile: must not be empty'],
    [
      { kind: 'io.l5d.fs', dtabFile: 7 },
      'routers[0].interpreter.dtabFile: expected a string, got number 7',
    ],
    [
      { kind: 'io.l5d.fs', dtabFile: 'x', transformers: [{ kind: 'io.l5d.localhost', host: 'x' }] },
      'routers[0].interpreter.transformers[0]: unknown key(s): host',
    ],
    [
      { kind: 'io.l5d.fs', dtabFile: 'x', rootDir: 'y' },
      'routers[0].interpreter: unknown key(s): rootDir',
    ],
    [
      { kind: 'io.l5d.namerd', dst: '/$/inet/namerd/4100' },
      'routers[0].interpreter.kind: kind "io.l5d.namerd" exists in linkerd but is not supported here yet (known: default, io.l5d.fs, io.l5d.namerd.http)',
    ],
    [
      { kind: 'io.l5d.namerd.http', dst: '/$/inet/namerd' },
      'routers[0].interpreter.dst: expected /$/inet/<host>/<port> or /#/<namer>/…, got /$/inet/namerd',
    ],
    [
      { kind: 'io.l5d.namerd.http', dst: '/svc/namerd' },
      'routers[0].interpreter.dst: expected /$/inet/<host>/<port> or /#/<namer>/…, got /svc/namerd',
    ],
    [
      { kind: 'io.l5d.namerd.http', dst: '/$/inet/namerd/70000' },
      'routers[0].interpreter.dst: expected /$/inet/<host>/<port> or /#/<namer>/…, got /$/inet/namerd/70000',
    ],
    [
      { kind: 'io.l5d.namerd.http', namespace: '' },
      'routers[0].interpreter.namespace: must not be empty',
    ],
    [
      { kind: 'io.l5d.namerd.http', retry: { baseSeconds: 5, maxSeconds: 1 } },
      'routers[0].interpreter.retry.maxSeconds: expected a number in [5, Infinity], got number 1',
    ],
    [
      { kind: 'io.l5d.namerd.http', retry: { base: 5 } },
      'routers[0].interpreter.retry: unknown key(s): base',
    ],
    [
      { kind: 'io.l5d.namerd.http', tls: { trustCerts: ['/ca.pem'] } },
      'routers[0].interpreter.tls.commonName: required unless disableValidation is true',
    ],
    [
      { kind: 'io.l5d.namerd.http', tls: { commonName: 'namerd', caCert: '/ca.pem' } },
      'routers[0].interpreter.tls: unknown key(s): caCert',
    ],
    [
      {
        kind: 'io.l5d.namerd.http',
        tls: { disableValidation: true, clientAuth: { certPath: '/c', keyPath: '/k' } },
      },
      'routers[0].interpreter.tls.clientAuth: cannot be combined with disableValidation: true',
    ],
    [
      { kind: 'io.l5d.namerd.http', transformers: [{ kind: 'io.l5d.port' }] },
      'routers[0].interpreter.transformers[0].port: required',
    ],
    [
      { kind: 'io.l5d.namerd.http', dst: '/$/inet/127.0.0.1/4180', namerd: 'x' },
      'routers[0].interpreter: unknown key(s): namerd',
    ],
    [
      { kind: 'io.l5d.mesh', dst: '/$/inet/namerd/4321' },
      'routers[0].interpreter.kind: kind "io.l5d.mesh" exists in linkerd but is not supported here yet (known: default, io.l5d.fs, io.l5d.namerd.http)',
    ],
    [
      { kind: 'io.l5d.k8s.configMap', name: 'dtabs' },
      'routers[0].interpreter.kind: kind "io.l5d.k8s.configMap" exists in linkerd but is not supported here (known: default, io.l5d.fs, io.l5d.namerd.http)',
    ],
    [
      { kind: 'io.l5d.foo' },
      'routers[0].interpreter.kind: unknown kind "io.l5d.foo" (known: default, io.l5d.fs, io.l5d.namerd.http)',
    ],
    [['default'], 'routers[0].interpreter: expected an object, got a list'],
  ]
  for (const [raw, message] of bad) {
    t.throws(() => parseInterpreter(raw, at), { message, code: 'ERR_CONFIG' }, message)
  }
})

test('io.l5d.namerd.http tls: its files are read at start, a missing one named', (t) => {
  const at = 'routers[0].interpreter'
  const tls = { commonName: 'namerd', trustCerts: '/nonexistent/ca.pem' }
  const spec = parseInterpreter({ kind: 'io.l5d.namerd.http', tls }, at)
  t.is(spec.tls?.at, 'routers[0].interpreter.tls', 'placed for the router to open and watch')
  t.deepEqual(spec.tls?.tls.trustCerts, ['/nonexistent/ca.pem'])
  t.throws(() => spec.make({ namers: [], dtab: EMPTY_DTAB }), {
    message: 'routers[0].interpreter.tls.trustCerts: cannot read /nonexistent/ca.pem (ENOENT)',
    code: 'ERR_CONFIG',
  })
})
