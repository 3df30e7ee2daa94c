import test from 'ava'
import {
  Cell,
  EMPTY_DTAB,
  PENDING,
  ok,
  readDtab,
  readPath,
  showDtab,
  type ActState,
  type Addr,
  type BoundLeaf,
  type NameTree,
  type Var,
} from '../../dtabs/index.js'
import { Section } from '../../lib/config/section.js'
import { parseKind } from '../../lib/plugin.js'
import { parseInterpreter, type InterpreterEnv } from '../interpreters/index.js'
import { fixtureFs, lateNamer, shown, until } from '../../testing/router/interpreters.js'
import type { Interpreter } from '../model.js'
import { transformers } from './index.js'
import { transformInterpreter } from './interpreter.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function interpreter(raw: Record<string, unknown>, env: Partial<InterpreterEnv> = {}) {
  const interp = parseInterpreter(raw, 'routers[0].interpreter').make({
    namers: fixtureFs(),
    dtab: readDtab('/svc => /#/io.l5d.fs'),
    interfaceAddresses: ['127.0.0.1'],
    ...env,
  })
  return interp
}

const PORT = [{ kind: 'io.l5d.port', port: 4141 }]

function firstAddr(interp: Interpreter, path: string): string {
  const state = interp.bind(EMPTY_DTAB, readPath(path)).get()
  if (state.type !== 'ok' || state.value.type !== 'leaf') return shown(state)
  const addr = state.value.value.bound.addr.get()
  return addr.type === 'bound' ? addr.addrs.map((a) => `${a.host}:${a.port}`).join(' ') : addr.type
}

test('an interpreter with transformers binds transformed trees; local dtabs still apply', (t) => {
  const interp = interpreter({ kind: 'default', transformers: PORT })
  t.teardown(() => interp.close())
  t.is(
    shown(interp.bind(EMPTY_DTAB, readPath('/svc/users')).get()),
    'ok /%/io.l5d.port/4141/#/io.l5d.fs/users',
  )
  t.is(firstAddr(interp, '/svc/users-v1'), '127.0.0.1:4141')
  const local = readDtab('/svc/users => 9 * /#/io.l5d.fs/users-v1 & 1 * /#/io.l5d.fs/users-v2')
  t.is(
    shown(interp.bind(local, readPath('/svc/users')).get()),
    'ok 9.00*/%/io.l5d.port/4141/#/io.l5d.fs/users-v1 & /%/io.l5d.port/4141/#/io.l5d.fs/users-v2',
  )
  t.is(shown(interp.bind(EMPTY_DTAB, readPath('/svc/nobody')).get()), 'ok ~')
  t.is(showDtab(interp.baseDtab()), '/svc=>/#/io.l5d.fs')
})

test('transformers apply in order: the last one’s prefix is outermost', (t) => {
  const interp = interpreter({
    kind: 'default',
    transformers: [...PORT, { kind: 'io.l5d.localhost' }],
  })
  t.teardown(() => interp.close())
  t.is(
    shown(interp.bind(EMPTY_DTAB, readPath('/svc/users-v1')).get()),
    'ok /%/io.l5d.localhost/%/io.l5d.port/4141/#/io.l5d.fs/users-v1',
  )
  t.is(firstAddr(interp, '/svc/users-v1'), '127.0.0.1:4141')
  const elsewhere = interpreter(
    { kind: 'default', transformers: [...PORT, { kind: 'io.l5d.localhost' }] },
    { interfaceAddresses: ['10.1.1.1'] },
  )
  t.teardown(() => elsewhere.close())
  t.is(firstAddr(elsewhere, '/svc/users-v1'), 'neg')
})

test('one transformed binding per inner binding; get() allocates nothing once bound', (t) => {
  const interp = interpreter({ kind: 'default', transformers: PORT })
  t.teardown(() => interp.close())
  const a = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(a.subscribe(() => undefined))
  const first = a.get()
  t.is(a.get(), first)
  t.is(a.get(), first)
  // An inner interpreter that answers with the same binding gets the same transformed one.
  const { inner } = settable()
  const port = parseKind(transformers, new Section({ kind: 'io.l5d.port', port: 4141 }, 't'))({})
  const wrapped = transformInterpreter(inner, [port])
  t.is(wrapped.bind(EMPTY_DTAB, readPath('/svc/x')), wrapped.bind(EMPTY_DTAB, readPath('/svc/x')))
})

/** An inner interpreter (namerd-like) whose one binding the test sets: every answer is new objects. */
function settable(): { inner: Interpreter; binding: Cell<ActState<NameTree<BoundLeaf>>> } {
  const binding = new Cell<ActState<NameTree<BoundLeaf>>>(PENDING)
  const inner: Interpreter = {
    bind: () => binding,
    baseDtab: () => EMPTY_DTAB,
    delegate: () => Promise.resolve(null),
    close: () => undefined,
  }
  return { inner, binding }
}

const tree = (id: string, addr: Var<Addr>): ActState<NameTree<BoundLeaf>> =>
  ok({ type: 'leaf', value: { bound: { id: readPath(id), path: [], addr } } })

test('a new inner tree with the same names keeps the transformed state; real changes are heard', async (t) => {
  const { inner, binding: source } = settable()
  const port = parseKind(transformers, new Section({ kind: 'io.l5d.port', port: 4141 }, 't'))({})
  const binding = transformInterpreter(inner, [port]).bind(EMPTY_DTAB, readPath('/svc/web'))
  const heard: string[] = []
  t.teardown(binding.subscribe((s) => heard.push(shown(s))))
  const addr = new Cell<Addr>({ type: 'bound', addrs: [{ host: '10.0.0.1', port: 80 }] })
  source.set(tree('/#/live/web', addr))
  await until(binding, 'ok /%/io.l5d.port/4141/#/live/web')
  const before = binding.get()
  source.set(tree('/#/live/web', addr))
  await tick()
  t.is(binding.get(), before, 'same names and address Vars: the same state object')
  addr.set({ type: 'bound', addrs: [{ host: '10.0.0.9', port: 80 }] })
  await tick()
  t.is(binding.get(), before, 'an address change is not a tree change')
  const leaf = before.type === 'ok' && before.value.type === 'leaf' ? before.value.value : undefined
  t.deepEqual(leaf?.bound.addr.get(), { type: 'bound', addrs: [{ host: '10.0.0.9', port: 4141 }] })
  source.set(tree('/#/live/web2', addr))
  await until(binding, 'ok /%/io.l5d.port/4141/#/live/web2')
  t.deepEqual(heard, ['ok /%/io.l5d.port/4141/#/live/web', 'ok /%/io.l5d.port/4141/#/live/web2'])
})

test('pending and failed bindings pass through the transformers', async (t) => {
  const late = lateNamer()
  const interp = interpreter(
    { kind: 'default', transformers: PORT },
    { namers: [late.mounted, ...fixtureFs()], dtab: readDtab('/svc => /#/late') },
  )
  t.teardown(() => interp.close())
  const binding = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(binding.subscribe(() => undefined))
  t.is(shown(binding.get()), 'pending')
  late.release()
  await until(binding, 'ok /%/io.l5d.port/4141/#/io.l5d.fs/users')
  const loop = interpreter({ transformers: PORT }, { dtab: readDtab('/svc => /svc/x') })
  t.teardown(() => loop.close())
  t.regex(shown(loop.bind(EMPTY_DTAB, readPath('/svc/users')).get()), /^failed: /)
})

test('delegate, state and close are the inner interpreter’s', async (t) => {
  const interp = interpreter({ kind: 'default', transformers: PORT })
  const json = (await interp.delegate(EMPTY_DTAB, readPath('/svc/users'))) as { type: string }
  t.is(JSON.stringify(json).includes('/%/'), false, 'delegate is not transformed')
  t.true(JSON.stringify(json).includes('/#/io.l5d.fs/users'))
  t.is(interp.state, undefined)
  interp.close()
  const namerd = parseInterpreter(
    { kind: 'io.l5d.namerd.http', dst: '/$/inet/127.0.0.1/1', transformers: PORT },
    'routers[0].interpreter',
  ).make({ namers: [], dtab: EMPTY_DTAB, log: () => undefined })
  t.teardown(() => namerd.close())
  t.like(namerd.state?.(), { kind: 'io.l5d.namerd.http', namespace: 'default' })
})
