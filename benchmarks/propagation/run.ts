/**
 * Propagation benchmark: how long after `namerctl dtab update` returns does every one of N
 * routers route by the new dtab? For each store (io.l5d.file; io.l5d.etcd on a real etcd) and
 * each N, a real namerd, two backends (v1, v2) and N real routers following namerd
 * (`io.l5d.namerd.http`), each driven by a closed-loop client; 20 updates alternate
 * `/svc/users` between v1 and v2 (see measure.ts for the definition). Prints a Markdown table
 * for benchmarks/README.md. Needs etcd (`apt-get install etcd-server`).
 *
 *   npm run bench:propagation [-- --quick] [-- --routers 1,10,50 --updates 20 --stores file,etcd
 *                              --pace-ms P --gap-ms 1000]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EtcdServer } from '../../testing/servers/etcd-server.js'
import { startEtcd } from '../../testing/servers/etcd-server.js'
import { options, paceFor, type Options } from './options.js'
import { LoopClient } from './client.js'
import { startBackends, startNamerd, startRouters } from './fleet.js'
import { allOn, measureUpdates, resetDtab, writeDtabs, type Version } from './measure.js'
import { stopAll, stopProc } from './procs.js'
import { header, quantile, table, type Row } from './report.js'

/** Everything one (store, N) measurement needs. */
interface Setup {
  readonly dir: string
  readonly disco: string
  readonly files: Record<Version, string>
  readonly opts: Options
}

/** A store's config for namerd; `dir` is this measurement's own temp dir. */
type StorageFor = (dir: string) => Record<string, unknown>

async function measure(store: string, storage: StorageFor, n: number, s: Setup): Promise<Row> {
  const dir = join(s.dir, `${store}-${n}`)
  mkdirSync(dir)
  // A fresh namerd (and for io.l5d.file a fresh file: namerd's embedded default) per N.
  const namerd = await startNamerd(storage(dir), s.disco, dir)
  await resetDtab(namerd.api, s.files)
  const routers = await startRouters(n, Number(new URL(namerd.api).port), dir)
  const paceMs = s.opts.paceMs ?? paceFor(n)
  const clients = routers.map((r) => new LoopClient(r.port, paceMs))
  try {
    for (const c of clients) c.start()
    await allOn(clients, 'v1', 30_000)
    // Two unmeasured updates: a long-running router has already rebound many times (JIT).
    await measureUpdates(namerd.api, clients, s.files, 2, s.opts.gapMs)
    for (const c of clients) c.resetStats()
    const updates = await measureUpdates(namerd.api, clients, s.files, s.opts.updates, s.opts.gapMs)
    const rtts = clients.flatMap((c) => c.rtts)
    return {
      store,
      routers: n,
      updates,
      rttMs: quantile(rtts, 0.5),
      stepMs: quantile(
        clients.flatMap((c) => c.intervals),
        0.5,
      ),
      paceMs,
      errors: clients.reduce((e, c) => e + c.errors, 0),
      requests: rtts.length,
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()))
    await Promise.all([...routers.map((r) => stopProc(r.proc)), stopProc(namerd.proc)])
  }
}

async function main(opts: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-propagation-'))
  let etcd: EtcdServer | undefined
  const cleanup = async (): Promise<void> => {
    await stopAll()
    await etcd?.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
  // On Ctrl-C, stop everything and exit 130; the measurement then fails midway: not reported.
  let interrupted: Promise<void> | undefined
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process\n`)
      interrupted ??= cleanup().finally(() => process.exit(130))
    })
  }
  try {
    const setup: Setup = { dir, disco: await startBackends(dir), files: writeDtabs(dir), opts }
    const rows: Row[] = []
    for (const store of opts.stores) {
      let storage: StorageFor
      if (store === 'file') {
        storage = (d) => ({ kind: 'io.l5d.file', path: join(d, 'dtabs.json') })
      } else {
        const endpoint = (etcd ??= await startEtcd()).endpoint
        storage = () => ({ kind: 'io.l5d.etcd', endpoints: [endpoint] })
      }
      for (const n of opts.routers) {
        process.stderr.write(`io.l5d.${store}, ${n} routers…\n`)
        rows.push(await measure(`io.l5d.${store}`, storage, n, setup))
      }
    }
    const pacing = opts.paceMs === undefined ? 'N / 2 ms, at least 2 ms' : `${opts.paceMs} ms`
    process.stdout.write(
      `propagation benchmark: ${header()}\n` +
        `${opts.updates} measured updates per row (after 2 unmeasured), ${opts.gapMs} ms apart; ` +
        `one closed-loop client per router (keep-alive, one request in flight, paced: ${pacing})\n\n` +
        `${table(rows)}\n`,
    )
  } catch (e) {
    if (interrupted !== undefined) await interrupted // exits
    throw e
  } finally {
    if (interrupted === undefined) await cleanup()
  }
}

await main(options(process.argv.slice(2)))
