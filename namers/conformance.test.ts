/**
 * Runs every case of the public dtab conformance vectors (testing/conformance/dtab-vectors.json,
 * format in the README beside it) against the naming core (dtabs/) and the `/$` namer the
 * vectors bind through; it sits here because it needs both. Set DTAB_VECTORS to run another
 * file of the same format. A missing file fails.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import {
  bindOnce,
  boundTreeToJson,
  delegate,
  delegateTreeToJson,
  evaluate,
  expand,
  readDtab,
  readNameTree,
  readPath,
  showDtab,
  showElem,
  showPath,
  showPathTree,
  showPrefix,
  simplify,
  type BoundLeaf,
  type Json,
  type MountedNamer,
  type NameTree,
} from '../dtabs/index.js'
import { globalNamer } from './global.js'
import { fixtureNamers, type NamerFixture } from '../testing/fixture-namer.js'
import { normalise } from '../testing/normalise.js'
import { repoPath } from '../testing/paths.js'

const file = process.env.DTAB_VECTORS ?? repoPath('testing/conformance/dtab-vectors.json')
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = Record<string, any>
const doc = JSON.parse(readFileSync(file, 'utf8')) as { groups: Record<string, Case[]> }

function parses(read: () => unknown): boolean {
  try {
    read()
    return true
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_DTAB_PARSE') throw e
    return false
  }
}

function namersFor(c: Case): MountedNamer[] {
  return [...fixtureNamers(c.namers as NamerFixture), { prefix: ['$'], namer: globalNamer() }]
}

function errorKind(e: Error): string {
  const code = (e as { code?: string }).code
  return code === 'ERR_MAX_DEPTH'
    ? 'MaxDepth'
    : code === 'ERR_UNKNOWN_NAMER'
      ? 'UnknownNamer'
      : e.message
}

function fixtureShape(tree: NameTree<BoundLeaf>): Json {
  switch (tree.type) {
    case 'leaf': {
      const { bound } = tree.value
      const addr = bound.addr.get()
      const addrs = addr.type === 'bound' ? addr.addrs.map((a) => `${a.host}:${a.port}`) : []
      return { type: 'leaf', id: showPath(bound.id), path: showPath(bound.path), addrs }
    }
    case 'union':
      return {
        type: 'union',
        trees: tree.trees.map((w) => ({ weight: w.weight, tree: fixtureShape(w.tree) })),
      }
    default:
      return { type: tree.type }
  }
}

const runners: Record<string, (t: import('ava').ExecutionContext, c: Case) => void> = {
  path(t, c) {
    t.is(
      parses(() => readPath(c.input)),
      c.ok,
    )
    if (!c.ok) return
    const p = readPath(c.input)
    t.deepEqual(p.map(showElem), c.segments)
    t.is(showPath(p), c.show)
  },
  nameTree(t, c) {
    t.is(
      parses(() => readNameTree(c.input)),
      c.ok,
    )
    if (c.ok) t.is(showPathTree(readNameTree(c.input)), c.show)
  },
  dtab(t, c) {
    t.is(
      parses(() => readDtab(c.input)),
      c.ok,
    )
    if (!c.ok) return
    const d = readDtab(c.input)
    t.is(showDtab(d), c.show)
    t.deepEqual(
      d.map((e) => ({ prefix: showPrefix(e.prefix), dst: showPathTree(e.dst) })),
      c.entries,
    )
  },
  eval(t, c) {
    const tree = readNameTree(c.tree)
    t.is(showPathTree(simplify(tree)), c.result)
    if (c.leaves === undefined) return
    const r = evaluate(tree)
    const leaves =
      r.type === 'neg'
        ? '~'
        : r.type === 'fail'
          ? '!'
          : [...new Set([...r.values].map(showPath))].sort()
    t.deepEqual(leaves, c.leaves)
  },
  delegate(t, c) {
    const dtab = readDtab(c.dtab)
    const path = readPath(c.path)
    if (c.result === null) {
      const e = t.throws(() => expand(dtab, path))
      t.is(errorKind(e), c.error)
      return
    }
    const r = expand(dtab, path)
    t.is(showPathTree(r), c.result)
    if (c.simplified !== undefined) t.is(showPathTree(simplify(r)), c.simplified)
  },
  bind(t, c) {
    const r = bindOnce({ dtab: readDtab(c.dtab), namers: namersFor(c) }, readPath(c.path))
    if (c.result === null) {
      t.is(r.type, 'failed')
      if (r.type === 'failed') t.is(errorKind(r.error), c.error)
      return
    }
    if (r.type !== 'ok') return t.fail(`expected a value, got ${r.type}`)
    t.deepEqual(normalise(fixtureShape(r.value)), normalise(c.result))
    if (c.namerdJson !== undefined)
      t.deepEqual(normalise(boundTreeToJson(r.value)), normalise(c.namerdJson))
  },
  delegateTree(t, c) {
    const r = delegate({ dtab: readDtab(c.dtab), namers: namersFor(c) }, readPath(c.path))
    if (c.result === null) {
      t.is(r.type, 'failed')
      if (r.type === 'failed') t.is(errorKind(r.error), c.error)
      return
    }
    if (r.type !== 'ok') return t.fail(`expected a value, got ${r.type}`)
    t.deepEqual(normalise(delegateTreeToJson(r.value)), normalise(c.result))
  },
}

test('the vector file has every group, and every group has a runner', (t) => {
  for (const g of ['path', 'nameTree', 'dtab', 'eval', 'delegate', 'bind', 'delegateTree']) {
    t.true((doc.groups[g]?.length ?? 0) > 0, `group ${g}`)
  }
  for (const g of Object.keys(doc.groups)) t.truthy(runners[g], `runner for ${g}`)
})

for (const [group, cases] of Object.entries(doc.groups)) {
  const run = runners[group]
  if (run === undefined) continue
  for (const c of cases) test(`${group}: ${c.name}`, (t) => run(t, c))
}
