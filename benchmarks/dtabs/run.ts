/**
 * Micro-benchmark of the naming core: parse, one lookup, delegate, bind uncached, against a
 * 100-dentry dtab; and the lookups the router really does per request once a name is bound
 * (router/core: its binding cache, the weighted pick, its client cache). Run: `npm run bench`.
 * Prints a Markdown table with date, commit, Node version and CPU, for benchmarks/README.md.
 */
import { execSync } from 'node:child_process'
import { cpus } from 'node:os'
import {
  bindOnce,
  constant,
  delegate,
  lookup,
  ok,
  pickLeaf,
  prefixMatches,
  readDtab,
  readPath,
  rewrite,
  showDtab,
  showPath,
  type BindContext,
  type Dentry,
  type Dtab,
  type Path,
} from '../../dtabs/index.js'
import { DtabInterpreter } from '../../dtabs/interpreter.js'
import { globalNamer } from '../../namers/global.js'
import { parseBalancer } from '../../router/balancers/index.js'
import { Bindings } from '../../router/core/bindings.js'
import { Clients } from '../../router/core/clients.js'
import { NO_LOCAL_DTAB } from '../../router/core/local-dtab.js'
import { MetricsRegistry } from '../../router/metrics/index.js'
import { fixtureNamers } from '../../testing/fixture-namer.js'
import { measure, table, type Case } from './harness.js'

/** 100 dentries in linkerd's usual layers: protocol → host → svc → srv → namer. */
function dtabText(): string {
  const lines = ['/srv => /#/io.l5d.fs', '/host => /svc', '/http/1.1/* => /host']
  for (let i = 0; i < 96; i++)
    lines.push(`/svc/app${i} => /srv/app${i}-v1 | /$/inet/127.0.0.1/${9000 + i}`)
  lines.push('/svc/users => 99 * /srv/users-v1 & 1 * /srv/users-v2')
  return lines.join(';\n')
}

function context(): BindContext {
  const services: Record<string, string[]> = {
    'users-v1': ['10.0.0.1:8080', '10.0.0.2:8080'],
    'users-v2': ['10.0.0.3:8080'],
  }
  for (let i = 0; i < 96; i++) services[`app${i}-v1`] = [`10.1.0.${i}:8080`]
  const namers = [
    ...fixtureNamers({ '/#/io.l5d.fs': services }),
    { prefix: ['$'], namer: globalNamer() },
  ]
  return { dtab: readDtab(dtabText()), namers }
}

/** The lookup without the trie index, for comparison: every dentry checked, last first. */
function scanLookup(dtab: Dtab, path: Path): unknown[] {
  const out: unknown[] = []
  for (let i = dtab.length - 1; i >= 0; i--) {
    const d = dtab[i] as Dentry
    if (prefixMatches(d.prefix, path)) out.push(rewrite(d, path))
  }
  return out
}

/**
 * What the router does per request for a name it has bound before: the logical name's show form
 * (the cache key and `l5d-dst-service`), its binding cache entry and live tree, the weighted pick,
 * and the picked leaf's client.
 */
function routerLookup(ctx: BindContext): () => unknown {
  const metrics = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })
  const stats = metrics.router('bench')
  const interpreter = new DtabInterpreter({ base: constant(ok(ctx.dtab)), namers: ctx.namers })
  const cache = { maxSize: 1000, idleTtlMs: 600_000 }
  const bindings = new Bindings({ interpreter, stats, ...cache })
  const balancer = parseBalancer(undefined)
  const clients = new Clients({ stats, ...cache, balancerFor: () => balancer })
  const users = readPath('/svc/users')
  return function lookupOnce() {
    const name = showPath(users)
    const state = bindings.get(NO_LOCAL_DTAB, users, name).binding.get()
    if (state.type !== 'ok') throw new Error(`not bound: ${state.type}`)
    const leaf = pickLeaf(state.value)
    if (leaf === undefined) throw new Error('no leaf')
    return clients.get(leaf.bound)
  }
}

function cases(): Case[] {
  const text = dtabText()
  const ctx = context()
  const users = readPath('/svc/users')
  const deep = readPath('/http/1.1/GET/users')
  const lookupOnce = routerLookup(ctx)
  const repeat = (f: () => unknown) => (n: number) => {
    let r: unknown
    for (let i = 0; i < n; i++) r = f()
    return r
  }
  return [
    { name: 'parse 100-dentry dtab', run: repeat(() => readDtab(text)) },
    { name: 'show 100-dentry dtab', run: repeat(() => showDtab(ctx.dtab)) },
    { name: 'parse path /http/1.1/GET/users', run: repeat(() => readPath('/http/1.1/GET/users')) },
    { name: 'one lookup in 100 dentries (trie index)', run: repeat(() => lookup(ctx.dtab, users)) },
    {
      name: 'one lookup in 100 dentries (linear scan)',
      run: repeat(() => scanLookup(ctx.dtab, users)),
    },
    { name: 'delegate /svc/users (explanation tree)', run: repeat(() => delegate(ctx, users)) },
    {
      name: 'bind uncached /svc/users (99/1 union)',
      run: repeat(() => bindOnce(ctx, users)),
      target: { maxNs: 20_000, what: 'uncached bind < 20 µs' },
    },
    {
      name: 'bind uncached /http/1.1/GET/users (4 rewrites)',
      run: repeat(() => bindOnce(ctx, deep)),
      target: { maxNs: 20_000, what: 'uncached bind < 20 µs' },
    },
    {
      name: 'router lookup /svc/users (name, binding cache, pick, client)',
      run: repeat(lookupOnce),
      target: { maxNs: 1_000, what: 'cached lookup < 1 µs' },
    },
  ]
}

function header(): string {
  let commit = 'unknown'
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {
    // not a git checkout: leave it unknown
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  return `${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpus().length} × ${cpu}`
}

async function main(): Promise<void> {
  // Let the cached binding's first (microtask) bind settle before measuring.
  const all = cases()
  await new Promise((resolve) => setTimeout(resolve, 10))
  const results = all.map((c) => measure(c))
  process.stdout.write(`dtabs micro-benchmark: ${header()}\n\n${table(results)}\n`)
  if (results.some((r) => r.target !== undefined && r.nsPerOp > r.target.maxNs))
    process.exitCode = 1
}

await main()
