import test from 'ava'
import { Cell, constant, ok, type ActState } from './activity.js'
import { Binding } from './binding.js'
import { readDtab, readPath } from './parse.js'
import { NEG, type NameTree } from './name-tree.js'
import type { Addr, Bound, BoundLeaf, Name, Namer } from './name.js'
import { showPath } from './path.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A namer whose services can be added and removed while bindings watch it. */
function liveNamer(): {
  namer: Namer
  add(svc: string): void
  remove(svc: string): void
  lookups: () => number
} {
  const present = new Cell<ReadonlySet<string>>(new Set())
  const addr = constant<Addr>({ type: 'bound', addrs: [{ host: '10.0.0.1', port: 80 }] })
  const cache = new Map<string, Cell<ActState<NameTree<Name>>>>()
  let lookups = 0
  const treeFor = (svc: string): ActState<NameTree<Name>> => {
    const bound: Bound = { id: ['#', 'live', svc], path: [], addr }
    return ok(present.get().has(svc) ? { type: 'leaf', value: bound } : NEG)
  }
  const namer: Namer = {
    lookup(residual) {
      lookups++
      const svc = residual[0] ?? ''
      let cell = cache.get(svc)
      if (cell === undefined) {
        const c = new Cell(treeFor(svc), (self) => present.subscribe(() => self.set(treeFor(svc))))
        cache.set(svc, c)
        cell = c
      }
      return cell
    },
  }
  const update = (f: (s: Set<string>) => void): void => {
    const next = new Set(present.get())
    f(next)
    present.set(next)
  }
  return {
    namer,
    add: (s) => update((x) => x.add(s)),
    remove: (s) => update((x) => x.delete(s)),
    lookups: () => lookups,
  }
}

function leafId(state: ActState<NameTree<BoundLeaf>>): string {
  if (state.type !== 'ok') return state.type
  const t = state.value
  return t.type === 'leaf' ? showPath(t.value.bound.id) : t.type
}

test('a watched binding follows namer changes: the alternation falls through, then back', async (t) => {
  const live = liveNamer()
  live.add('b')
  const ctx = {
    dtab: readDtab('/svc => /#/live/a | /#/live/b'),
    namers: [{ prefix: ['#', 'live'], namer: live.namer }],
  }
  const binding = new Binding(ctx, readPath('/svc'))
  t.is(leafId(binding.get()), '/#/live/b', 'unobserved get binds afresh')
  const seen: string[] = []
  binding.subscribe((s) => seen.push(leafId(s)))
  await tick()
  t.deepEqual(seen, ['/#/live/b'], 'first value arrives after subscribe, not during')
  live.add('a')
  await tick()
  await tick()
  t.deepEqual(seen, ['/#/live/b', '/#/live/a'], 'the preferred alternative appears')
  live.add('c')
  await tick()
  await tick()
  t.deepEqual(seen, ['/#/live/b', '/#/live/a'], 'an unrelated change is not reported')
  live.remove('a')
  await tick()
  await tick()
  t.deepEqual(seen, ['/#/live/b', '/#/live/a', '/#/live/b'])
})

test('a watched binding answers get() from its cache without binding again', async (t) => {
  const live = liveNamer()
  live.add('a')
  const ctx = {
    dtab: readDtab('/svc => /#/live'),
    namers: [{ prefix: ['#', 'live'], namer: live.namer }],
  }
  const binding = new Binding(ctx, readPath('/svc/a'))
  binding.subscribe(() => undefined)
  await tick()
  const before = live.lookups()
  for (let i = 0; i < 10; i++) t.is(leafId(binding.get()), '/#/live/a')
  t.is(live.lookups(), before, 'no lookups while watched and unchanged')
})

test('unsubscribing the last listener releases the namer activities', async (t) => {
  const live = liveNamer()
  const ctx = {
    dtab: readDtab('/svc => /#/live'),
    namers: [{ prefix: ['#', 'live'], namer: live.namer }],
  }
  const binding = new Binding(ctx, readPath('/svc/a'))
  const stop = binding.subscribe(() => undefined)
  await tick()
  const activity = live.namer.lookup(['a']) as Cell<unknown>
  t.is(activity.observers, 1)
  stop()
  t.is(activity.observers, 0)
})
