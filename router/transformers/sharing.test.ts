/** What the router relies on: stable objects, work only on change, sources watched lazily. */
import test from 'ava'
import { ADDR_NEG, ADDR_PENDING, Cell, readPath, type Addr } from '../../dtabs/index.js'
import { stalledReason } from '../model.js'
import { boundTransformer } from './bound-transformer.js'
import {
  addrs,
  bound,
  leaf,
  make,
  only,
  shownAddr,
  tick,
} from '../../testing/router/transformers.js'

test('the transformed address Var is shared per source Var, per transformer', (t) => {
  const port = make({ kind: 'io.l5d.port', port: 4141 })
  const source = new Cell<Addr>(addrs('10.0.0.1:80'))
  const first = only(port.transform(leaf(bound('/#/x/web', source))))
  // A rebind gives new Bound objects for the same name: the same Var comes back.
  const again = only(port.transform(leaf(bound('/#/x/web', source))))
  t.not(again.bound, first.bound)
  t.is(again.bound.addr, first.bound.addr)
  const b = bound('/#/x/web', source)
  t.is(only(port.transform(leaf(b))).bound, only(port.transform(leaf(b))).bound)
  const other = make({ kind: 'io.l5d.port', port: 4141 })
  t.not(only(other.transform(leaf(b))).bound.addr, first.bound.addr)
})

test('address changes are mapped once each and heard only when the result changes', async (t) => {
  let calls = 0
  const keepOne = boundTransformer(['%', 'one'], (addr) => {
    calls++
    const kept = addr.addrs.filter((a) => a.host === '10.0.0.1')
    return kept.length === 0 ? ADDR_NEG : { type: 'bound', addrs: kept }
  })
  const source = new Cell<Addr>(addrs('10.0.0.1:80', '10.0.0.2:80'))
  const v = only(keepOne.transform(leaf(bound('/#/x/web', source)))).bound.addr
  const first = v.get()
  for (let i = 0; i < 1000; i++) t.is(v.get(), first)
  t.is(calls, 1)
  const heard: string[] = []
  const stop = v.subscribe((a) => heard.push(shownAddr(a)))
  t.teardown(stop)
  source.set(addrs('10.0.0.1:80', '10.0.0.3:80'))
  await tick()
  t.deepEqual(heard, [], 'the kept set did not change')
  t.is(v.get(), first)
  source.set(addrs('10.0.0.1:80', '10.0.0.1:81'))
  await tick()
  t.deepEqual(heard, ['10.0.0.1:80 10.0.0.1:81'])
  source.set(addrs('10.0.0.2:80'))
  await tick()
  t.deepEqual(heard, ['10.0.0.1:80 10.0.0.1:81', 'neg'])
  t.is(calls, 4)
})

test('the source is watched only while the transformed Var is; stalled() is forwarded', (t) => {
  const port = make({ kind: 'io.l5d.port', port: 4141 })
  const why = new Error('namerd unreachable')
  const source = Object.assign(new Cell<Addr>(ADDR_PENDING), { stalled: () => why })
  const v = only(port.transform(leaf(bound('/#/x/web', source)))).bound.addr
  t.is(source.observers, 0)
  const stop = v.subscribe(() => undefined)
  t.is(source.observers, 1)
  stop()
  t.is(source.observers, 0)
  t.is(stalledReason(v, 'web'), why)
  const plain = only(port.transform(leaf(bound('/#/x/other', ADDR_PENDING)))).bound.addr
  t.is(stalledReason(plain, 'other'), undefined)
})

test('a transformed Var subscribes to its source before reading it, and is silent until a change', async (t) => {
  const calls: string[] = []
  const cell = new Cell<Addr>(addrs('10.0.0.1:80'))
  const source = {
    constant: false,
    get: () => (calls.push(cell.observers > 0 ? 'get observed' : 'get unobserved'), cell.get()),
    subscribe: (l: (a: Addr) => void) => (calls.push('subscribe'), cell.subscribe(l)),
  }
  const port = make({ kind: 'io.l5d.port', port: 1 })
  const v = only(port.transform(leaf({ id: readPath('/#/x/web'), path: [], addr: source }))).bound
    .addr
  t.deepEqual(calls, [], 'transforming a tree reads no address set')
  const heard: Addr[] = []
  t.teardown(v.subscribe((a) => heard.push(a)))
  t.deepEqual(calls, ['subscribe', 'get observed'])
  await tick()
  t.deepEqual(heard, [])
  cell.set(addrs('10.0.0.2:80'))
  await tick()
  t.is(heard.map(shownAddr).join(), '10.0.0.2:1')
})
