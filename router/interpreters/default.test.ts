import test from 'ava'
import {
  Cell,
  EMPTY_DTAB,
  PENDING,
  failed,
  ok,
  readDtab,
  readPath,
  showDtab,
  type ActState,
  type Dtab,
} from '../../dtabs/index.js'
import { DtabInterpreter, LiveBinding } from '../../dtabs/interpreter.js'
import { parseInterpreter } from './index.js'
import { fixtureFs, lateNamer, shown, until } from '../../testing/router/interpreters.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function defaultInterpreter(dtab: string, extra: Partial<Parameters<typeof make>[0]> = {}) {
  return make({ namers: fixtureFs(), dtab: readDtab(dtab), ...extra })
}
const make = parseInterpreter(undefined, 'routers[0].interpreter').make

test('default: binds the router dtab; the local dtab is appended and wins', (t) => {
  const interp = defaultInterpreter('/svc => /#/io.l5d.fs')
  t.is(showDtab(interp.baseDtab()), '/svc=>/#/io.l5d.fs')
  t.is(shown(interp.bind(EMPTY_DTAB, readPath('/svc/users')).get()), 'ok /#/io.l5d.fs/users')
  const local = readDtab('/svc/users => /#/io.l5d.fs/users-v2')
  t.is(shown(interp.bind(local, readPath('/svc/users')).get()), 'ok /#/io.l5d.fs/users-v2')
  t.is(shown(interp.bind(EMPTY_DTAB, readPath('/svc/nobody')).get()), 'ok ~')
  const weighted = readDtab('/svc/users => 9 * /#/io.l5d.fs/users-v1 & 1 * /#/io.l5d.fs/users-v2')
  t.is(
    shown(interp.bind(weighted, readPath('/svc/users')).get()),
    'ok 9.00*/#/io.l5d.fs/users-v1 & /#/io.l5d.fs/users-v2',
  )
  interp.close()
})

test('each bind is a new live binding: the router keeps its own (core/bindings.ts)', (t) => {
  const interp = new DtabInterpreter({ base: new Cell(ok(EMPTY_DTAB)), namers: fixtureFs() })
  const a = interp.bind(EMPTY_DTAB, readPath('/svc/a'))
  t.not(interp.bind(EMPTY_DTAB, readPath('/svc/a')), a)
  t.is(shown(a.get()), shown(interp.bind(EMPTY_DTAB, readPath('/svc/a')).get()))
})

test('a live binding follows base dtab changes; same tree, no notification', async (t) => {
  const base = new Cell<ActState<Dtab>>(ok(readDtab('/svc => /#/io.l5d.fs')))
  const interp = new DtabInterpreter({ base, namers: fixtureFs() })
  const binding = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  const heard: string[] = []
  const stop = binding.subscribe((s) => heard.push(shown(s)))
  t.is(shown(binding.get()), 'ok /#/io.l5d.fs/users')
  base.set(ok(readDtab('/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users-v2')))
  await until(binding, 'ok /#/io.l5d.fs/users-v2')
  base.set(ok(readDtab('/svc => /#/io.l5d.fs/users-v1; /svc/users => /#/io.l5d.fs/users-v2')))
  await tick()
  base.set(PENDING)
  await until(binding, 'pending')
  base.set(failed(new Error('dtab file broken')))
  await until(binding, 'failed: dtab file broken')
  base.set(ok(readDtab('/svc => /#/io.l5d.fs')))
  await until(binding, 'ok /#/io.l5d.fs/users')
  t.deepEqual(heard, [
    'ok /#/io.l5d.fs/users',
    'ok /#/io.l5d.fs/users-v2',
    'pending',
    'failed: dtab file broken',
    'ok /#/io.l5d.fs/users',
  ])
  stop()
  t.is((binding as LiveBinding).observers, 0)
  t.is(base.observers, 0, 'unsubscribed from the base when the last subscriber left')
})

test('unobserved, get() binds with the current base', (t) => {
  const base = new Cell<ActState<Dtab>>(PENDING)
  const interp = new DtabInterpreter({ base, namers: fixtureFs() })
  const binding = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.is(shown(binding.get()), 'pending')
  t.is(showDtab(interp.baseDtab()), '', 'no base yet: empty')
  base.set(ok(readDtab('/svc => /#/io.l5d.fs')))
  t.is(shown(binding.get()), 'ok /#/io.l5d.fs/users')
  base.set(failed(new Error('x')))
  t.is(shown(binding.get()), 'failed: x')
})

test('delegate: namerd JSON of the explanation, addresses included', async (t) => {
  const interp = defaultInterpreter('/svc => /#/io.l5d.fs')
  t.deepEqual(await interp.delegate(EMPTY_DTAB, readPath('/svc/users')), {
    type: 'delegate',
    path: '/svc/users',
    delegate: {
      type: 'leaf',
      path: '/#/io.l5d.fs/users',
      dentry: { prefix: '/svc', dst: '/#/io.l5d.fs' },
      bound: {
        addr: { type: 'bound', addrs: [{ ip: '127.0.0.1', port: 9001, meta: {} }], meta: {} },
        id: '/#/io.l5d.fs/users',
        path: '/',
      },
    },
  })
  t.deepEqual(await interp.delegate(readDtab('/svc/x => ~'), readPath('/svc/x')), {
    type: 'alt',
    path: '/svc/x',
    alt: [
      { type: 'neg', path: '~', dentry: { prefix: '/svc/x', dst: '~' } },
      { type: 'neg', path: '/#/io.l5d.fs/x', dentry: { prefix: '/svc', dst: '/#/io.l5d.fs' } },
    ],
  })
})

test('delegate waits for a pending namer, and gives up after its timeout', async (t) => {
  const late = lateNamer()
  const interp = make({
    namers: [late.mounted, ...fixtureFs()],
    dtab: readDtab('/svc => /#/late'),
    delegateTimeoutMs: 2000,
  })
  const answer = interp.delegate(EMPTY_DTAB, readPath('/svc/users'))
  setTimeout(() => late.release(), 20)
  t.like(await answer, { type: 'delegate', path: '/svc/users' })

  const never = lateNamer()
  const impatient = make({
    namers: [never.mounted, ...fixtureFs()],
    dtab: readDtab('/svc => /#/late'),
    delegateTimeoutMs: 50,
  })
  await t.throwsAsync(impatient.delegate(EMPTY_DTAB, readPath('/svc/users')), {
    code: 'ERR_BINDING_TIMEOUT',
    message: 'delegation of /svc/users was still pending after 50 ms (a namer is not ready)',
  })
})

test('delegate rejects with the binding error of a looping dtab', async (t) => {
  const interp = defaultInterpreter('/svc => /svc/x')
  await t.throwsAsync(interp.delegate(EMPTY_DTAB, readPath('/svc/users')), {
    code: 'ERR_MAX_DEPTH',
  })
})

test('default interpreter config: kinds, transformers and keys', (t) => {
  t.is(parseInterpreter({ kind: 'default' }, 'i').kind, 'default')
  t.is(parseInterpreter({ transformers: [] }, 'i').kind, 'default')
  t.throws(() => parseInterpreter({ kind: 'default', dtabFile: 'x' }, 'routers[0].interpreter'), {
    message: 'routers[0].interpreter: unknown key(s): dtabFile',
  })
})
