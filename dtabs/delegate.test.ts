import test from 'ava'
import { Cell, type ActState, type Var } from './activity.js'
import { delegate, type DelegateTree } from './delegate.js'
import type { NameTree } from './name-tree.js'
import type { Name } from './name.js'
import { readDtab, readPath } from './parse.js'
import { delegateTreeToJson } from './json.js'

test('a loop under a several-child alternation becomes an exception node; the rest is explained', (t) => {
  const r = delegate(
    { dtab: readDtab('/loop => /loop/x; /svc => /loop | /other'), namers: [] },
    readPath('/svc'),
  )
  if (r.type !== 'ok') return t.fail(r.type)
  // The one dentry's Alt destination resolves the same path, so it takes the root's place.
  const json = delegateTreeToJson(r.value) as {
    type: string
    alt: { type: string; path: string }[]
  }
  t.is(json.type, 'alt')
  t.deepEqual(
    json.alt.map((n) => [n.type, n.path]),
    [
      ['exception', '/svc'],
      ['neg', '/other'],
    ],
  )
})

test('a plain loop fails the whole explanation with the depth error', (t) => {
  const r = delegate({ dtab: readDtab('/a => /b; /b => /a'), namers: [] }, readPath('/a'))
  t.is(r.type, 'failed')
  if (r.type === 'failed') t.is((r.error as { code?: string }).code, 'ERR_MAX_DEPTH')
})

test('alternatives that multiply at every level hit the node budget, not the machine', (t) => {
  const levels = Array.from(
    { length: 30 },
    (_, i) => `/l${i} => /l${i + 1} | /l${i + 1} | /l${i + 1}`,
  )
  const r = delegate(
    { dtab: readDtab(levels.join(';')), namers: [], maxNodes: 10_000 },
    readPath('/l0'),
  )
  t.is(r.type, 'failed')
  if (r.type === 'failed') t.is((r.error as { code?: string }).code, 'ERR_DELEGATION_TOO_LARGE')
})

test('a namer that is not ready makes the explanation pending and is listed to wait for', (t) => {
  const answer = new Cell<ActState<NameTree<Name>>>({ type: 'pending' })
  const namers = [{ prefix: ['#', 'slow'], namer: { lookup: () => answer } }]
  const deps: Var<unknown>[] = []
  const r = delegate({ dtab: readDtab('/svc => /#/slow'), namers }, readPath('/svc/a'), deps)
  t.is(r.type, 'pending')
  t.true(deps.includes(answer))
  answer.set({ type: 'ok', value: { type: 'neg' } })
  const again = delegate({ dtab: readDtab('/svc => /#/slow'), namers }, readPath('/svc/a'))
  t.is(again.type, 'ok')
  if (again.type === 'ok')
    t.is((again.value as DelegateTree & { tree: DelegateTree }).tree.type, 'neg')
})
