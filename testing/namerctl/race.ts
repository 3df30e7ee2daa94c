/**
 * The concurrency scenarios, shared by the file-store and etcd test files: two `update`s that
 * read the same version (one wins, one exits 7), and concurrent `set`s on different prefixes
 * (all land: set retries on a conflict).
 */
import type { ExecutionContext } from 'ava'
import { conflict, json } from './expect.js'
import { failsWith, inputFile, namerctl, printed, show } from './harness.js'
import { cleanupsOf, uniqueName } from './setup.js'
import type { NamerdApi } from './namerd-api.js'
import { barrierProxy } from './servers.js'

/**
 * Two `update NAME FILE` (safe default) started together through a proxy that lets both read the
 * version before either can write: exactly one exits 0, the other 7 with the conflict message.
 */
export async function racingUpdates(t: ExecutionContext, api: NamerdApi): Promise<void> {
  const ns = uniqueName('race-update')
  const v0 = await api.put(ns, '/a=>/0')
  const proxy = await barrierProxy(cleanupsOf(t), api.base, ns, 2)
  const files = ['A', 'B'].map((x) => inputFile(t, x, `/a=>/${x};/${x}=>/${x}`))
  const runs = await Promise.all(
    files.map((f) => namerctl(['dtab', 'update', ns, f, '--base-url', proxy.base])),
  )
  t.deepEqual(runs.map((r) => r.status).sort(), [0, 7], runs.map(show).join('\n'))
  const winner = runs.findIndex((r) => r.status === 0)
  const [won, lost] = winner === 0 ? [runs[0], runs[1]] : [runs[1], runs[0]]
  if (won === undefined || lost === undefined) return
  printed(t, won, `Updated ${ns}\n`)
  failsWith(t, lost, 7, conflict(ns, v0.version))
  const x = winner === 0 ? 'A' : 'B'
  t.deepEqual((await api.must(ns)).dtab, json(`/a=>/${x};/${x}=>/${x}`), "the winner's dtab")
  const puts = proxy.log.filter((e) => e.request.startsWith('PUT '))
  t.deepEqual(
    puts.map((e) => e.ifMatch),
    [v0.version, v0.version],
    'both wrote with the version they read',
  )
}

/** Two `update --version V` of the same V, started together: one exits 0, the other 7. */
export async function racingVersionedUpdates(t: ExecutionContext, api: NamerdApi): Promise<void> {
  const ns = uniqueName('race-version')
  const v0 = await api.put(ns, '/a=>/0')
  const runs = await Promise.all(
    ['A', 'B'].map((x) =>
      namerctl(['dtab', 'update', ns, '-', '--version', v0.version, '--base-url', api.base], {
        input: `/a=>/${x}`,
      }),
    ),
  )
  t.deepEqual(runs.map((r) => r.status).sort(), [0, 7], runs.map(show).join('\n'))
  for (const r of runs) if (r.status === 7) failsWith(t, r, 7, conflict(ns, v0.version))
}

/**
 * `count` concurrent `set`s of different prefixes (through the barrier proxy when `barrier`:
 * the first two read the same version, so one of them must retry): all exit 0 and every dentry
 * is in the dtab, after the ones it had.
 */
export async function racingSets(
  t: ExecutionContext,
  api: NamerdApi,
  opts: { count: number; barrier: boolean; create?: boolean },
): Promise<void> {
  const ns = uniqueName('race-set')
  if (opts.create !== true) await api.put(ns, '/keep=>/me')
  const proxy = await barrierProxy(cleanupsOf(t), api.base, ns, opts.barrier ? 2 : 0)
  const prefixes = Array.from({ length: opts.count }, (_, i) => `/p${i}`)
  const create = opts.create === true ? ['--create'] : []
  const runs = await Promise.all(
    prefixes.map((p) =>
      namerctl(['dtab', 'set', ns, p, `/dst${p}`, ...create, '--base-url', proxy.base]),
    ),
  )
  runs.forEach((r, i) => printed(t, r, `Updated ${ns}: ${prefixes[i]} => /dst${prefixes[i]}\n`))
  const dtab = (await api.must(ns)).dtab
  const kept = opts.create === true ? [] : json('/keep=>/me')
  t.deepEqual(dtab.slice(0, kept.length), kept)
  t.deepEqual(
    dtab
      .slice(kept.length)
      .map((d) => d.prefix)
      .sort(),
    prefixes,
  )
  for (const d of dtab.slice(kept.length)) t.is(d.dst, `/dst${d.prefix}`)
  if (opts.barrier) {
    const refused = proxy.log.filter((e) => e.status === 412 || e.status === 409)
    t.true(refused.length >= 1, `a write was refused and retried: ${JSON.stringify(proxy.log)}`)
  }
}
