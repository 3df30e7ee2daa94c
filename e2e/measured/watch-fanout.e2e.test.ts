/**
 * Many watchers of one large namespace, against the real namerd binary over real sockets: a PUT
 * is acknowledged and reaches every watcher quickly with bounded memory, the admin port stays
 * responsive, and a watcher that stops reading is dropped while the others keep up.
 */
import test, { type ExecutionContext } from 'ava'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { startNamerd, tempDir, type NamerdProcess } from '../../testing/namerd/process.js'
import { openWatchReader, type WatchReader } from '../../testing/namerd/watch-reader.js'
import { repoPath } from '../../testing/paths.js'

/** A dtab of about 1 MB of text (under namerd's 1 MiB body limit) ending `/end=>/v<version>`. */
function bigDtab(version: number): string {
  const pad = 'x'.repeat(48)
  const lines: string[] = []
  for (let i = 0; i < 7200; i++)
    lines.push(`/svc/service-${i}-${pad}=>/#/io.l5d.fs/service-${i}-${pad};`)
  lines.push(`/end=>/v${version}`)
  return lines.join('\n')
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** namerd's resident memory now and at its peak (`VmRSS`, `VmHWM`), in MB. */
function memoryMb(n: NamerdProcess): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${n.child.pid}/status`, 'utf8')
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1])
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

function cpuMs(n: NamerdProcess): number {
  const f = readFileSync(`/proc/${n.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(f[11]) + Number(f[12])) * 10
}

async function put(n: NamerdProcess, version: number): Promise<number> {
  const res = await fetch(`${n.api}/api/1/dtabs/big`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab' },
    body: bigDtab(version),
  })
  await res.arrayBuffer()
  return res.status
}

async function metric(n: NamerdProcess, pattern: RegExp): Promise<string | undefined> {
  const text = await (await fetch(`${n.admin}/admin/metrics/prometheus`)).text()
  return pattern.exec(text)?.[1]
}

function closeAll(watchers: readonly WatchReader[]): void {
  for (const w of watchers) w.socket.destroy()
}

/**
 * `count` watchers of `path` in their own process (testing/namerd/watchers-main.ts); `reached(v)`
 * resolves with the time (`Date.now()`) at which the last of them had read version `v`.
 */
function spawnWatchers(t: ExecutionContext, port: number, path: string, count: number) {
  const child = spawn(
    process.execPath,
    [repoPath('dist/testing/namerd/watchers-main.js'), String(port), path, String(count)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  t.teardown(() => child.kill('SIGKILL'))
  const times = new Map<number, number>()
  const waiting = new Map<number, () => void>()
  createInterface({ input: child.stdout }).on('line', (line) => {
    const { version, at } = JSON.parse(line) as { version: number; at: number }
    times.set(version, at)
    waiting.get(version)?.()
  })
  const reached = async (version: number, ms: number): Promise<number> => {
    if (!times.has(version))
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no version ${version} after ${ms} ms`)),
          ms,
        )
        waiting.set(version, () => {
          clearTimeout(timer)
          resolve()
        })
      })
    return times.get(version) ?? NaN
  }
  return { reached }
}

test.serial(
  '500 watchers of a 1 MB namespace: a PUT is acknowledged and reaches every watcher in under 2 s, namerd under 300 MB',
  async (t) => {
    const n = await startNamerd(t, tempDir(t), {
      storage: { kind: 'io.l5d.inMemory', namespaces: { big: bigDtab(0) } },
    })
    const port = Number(new URL(n.api).port)
    const watchers = spawnWatchers(t, port, '/api/1/dtabs/big', 500)
    await watchers.reached(0, 60_000)
    const before = memoryMb(n)
    const cpu0 = cpuMs(n)
    const start = Date.now()
    const acknowledged = put(n, 1).then((status) => ({ status, ms: Date.now() - start }))
    const ping = fetch(`${n.admin}/admin/ping`).then(async (r) => ({
      body: await r.text(),
      ms: Date.now() - start,
    }))
    const reached = (await watchers.reached(1, 30_000)) - start
    const ack = await acknowledged
    const pong = await ping
    const after = memoryMb(n)
    t.log(`namerd used ${cpuMs(n) - cpu0} ms of CPU`)
    t.log(
      `PUT acknowledged in ${ack.ms.toFixed(0)} ms, every watcher had it after ${reached.toFixed(0)} ms; ` +
        `ping ${pong.ms.toFixed(0)} ms; namerd RSS ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} MB, peak ${after.peak.toFixed(0)} MB`,
    )
    t.is(ack.status, 204)
    t.true(ack.ms < 2000, `PUT acknowledged after ${ack.ms.toFixed(0)} ms`)
    t.true(reached < 2000, `the last watcher had version 1 after ${reached.toFixed(0)} ms`)
    t.is(pong.body, 'pong')
    t.true(pong.ms < 2000, `/admin/ping answered after ${pong.ms.toFixed(0)} ms during the fan-out`)
    t.true(after.peak < 300, `namerd peak RSS ${after.peak.toFixed(0)} MB`)
  },
)

test.serial(
  'a watcher that stops reading is dropped once its backlog passes the bound; the others keep up; memory stays bounded',
  async (t) => {
    const n = await startNamerd(t, tempDir(t), {
      storage: { kind: 'io.l5d.inMemory', namespaces: { big: bigDtab(0) } },
    })
    const port = Number(new URL(n.api).port)
    const readers: WatchReader[] = []
    t.teardown(() => closeAll(readers))
    for (let i = 0; i < 20; i++) readers.push(await openWatchReader(port, '/api/1/dtabs/big'))
    const stalled = await openWatchReader(port, '/api/1/dtabs/big', true)
    t.teardown(() => stalled.socket.destroy())
    await until('the readers to read version 0', () => readers.every((w) => w.latest === 0), 30_000)
    const open = /namerd_watch_streams_open\{route="dtab"\} (\d+)/
    t.is(await metric(n, open), '21')
    // The default bound is 8 MiB; a 1 MB document is one update. The kernel's socket buffers
    // take a few documents before namerd holds anything, so the number of updates varies.
    const dropped = /namerd_watch_streams_dropped_total\{route="dtab"\} (\d+)/
    let v = 0
    while ((await metric(n, dropped)) === undefined && v < 40) {
      v += 1
      t.is(await put(n, v), 204)
      await until(
        `the readers to read version ${v}`,
        () => readers.every((w) => w.latest === v),
        10_000,
      )
    }
    t.log(`${v} versions written`)
    t.is(await metric(n, dropped), '1', 'the stalled watcher was dropped')
    t.true(v >= 8, 'not before 8 MiB of documents could have passed it by')
    t.is(await metric(n, open), '20', 'the readers are still open')
    t.true(readers.every((w) => !w.socket.destroyed && w.latest === v))
    const mem = memoryMb(n)
    t.log(`namerd RSS ${mem.rss.toFixed(0)} MB, peak ${mem.peak.toFixed(0)} MB`)
    t.true(mem.peak < 300, `namerd peak RSS ${mem.peak.toFixed(0)} MB`)
  },
)
