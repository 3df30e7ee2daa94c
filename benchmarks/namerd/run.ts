/**
 * namerd benchmark: on each store (in-memory, file, etcd, ZooKeeper; real servers), a real
 * namerd process measured over HTTP for
 *   - dtab updates per second: sequential `PUT … If-Match` (read-modify-write, as namerctl does)
 *     and 8 concurrent writers on 8 namespaces;
 *   - watch fan-out: 100 watch streams on one namespace; for each of 50 updates, the time from
 *     sending the PUT to the last of the 100 watchers receiving the new dtab (p50/p99).
 * Prints a Markdown table for benchmarks/README.md. Needs etcd and ZooKeeper installed.
 *
 *   npm run bench:namerd [-- --seconds 5 --watchers 100 --updates 50]
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startEtcd } from '../../testing/servers/etcd-server.js'
import { openLines } from '../../testing/line-stream.js'
import { freePort } from '../../testing/servers/services.js'
import { repoPath } from '../../testing/paths.js'
import { startZooKeeper } from '../../testing/servers/zk-server.js'

const namerdBin = repoPath('bin/namerd.js')
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const seconds = arg('seconds', 5)
const watchers = arg('watchers', 100)
const updates = arg('updates', 50)
const agent = new Agent({ connections: 16, pipelining: 1 })

interface Namerd {
  readonly api: string
  readonly child: ChildProcess
}

async function startNamerd(storage: Record<string, unknown>, dir: string): Promise<Namerd> {
  const port = await freePort()
  const file = join(dir, 'namerd.json')
  const config = {
    admin: { port: await freePort() },
    storage,
    interfaces: [{ kind: 'io.l5d.httpController', port }],
  }
  writeFileSync(file, JSON.stringify(config))
  const child = spawn(process.execPath, [namerdBin, file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  })
  const api = `http://127.0.0.1:${port}`
  for (let i = 0; i < 400; i++) {
    if (
      await fetch(`${api}/api/1/dtabs`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { api, child }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('namerd did not start')
}

async function call(
  method: string,
  url: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  const r = await request(url, {
    method: method as 'GET',
    body,
    headers: { 'content-type': 'application/dtab', ...headers },
    dispatcher: agent,
  })
  const text = await r.body.text()
  return { status: r.statusCode, etag: r.headers.etag as string | undefined, text }
}

/** Read-modify-write loops on `namespaces` (one writer each) for `seconds`; updates per second. */
async function updateRate(api: string, namespaces: readonly string[]): Promise<number> {
  const deadline = Date.now() + seconds * 1000
  let done = 0
  await Promise.all(
    namespaces.map(async (ns) => {
      await call('PUT', `${api}/api/1/dtabs/${ns}`, '/svc=>/srv/0')
      for (let i = 1; Date.now() < deadline; i++) {
        const got = await call('GET', `${api}/api/1/dtabs/${ns}`)
        const put = await call('PUT', `${api}/api/1/dtabs/${ns}`, `/svc=>/srv/${i}`, {
          'if-match': got.etag ?? '',
        })
        if (put.status !== 204) throw new Error(`update answered ${put.status}: ${put.text}`)
        done++
      }
    }),
  )
  return done / seconds
}

/** `watchers` streams on `ns`; per update, the time until every one of them has it. */
async function fanOut(api: string, ns: string): Promise<number[]> {
  await call('PUT', `${api}/api/1/dtabs/${ns}`, '/svc=>/srv/0')
  const streams = await Promise.all(
    Array.from({ length: watchers }, () =>
      openLines(`${api}/api/1/dtabs/${ns}?watch=1`, { accept: 'application/dtab' }),
    ),
  )
  const allSaw = (line: string): boolean => streams.every((s) => s.lines.includes(line))
  const times: number[] = []
  for (let i = 1; i <= updates; i++) {
    const started = performance.now()
    await call('PUT', `${api}/api/1/dtabs/${ns}`, `/svc=>/srv/${i}`)
    while (!allSaw(`/svc=>/srv/${i}`)) await new Promise((r) => setImmediate(r))
    times.push(performance.now() - started)
  }
  await Promise.all(streams.map((s) => s.close()))
  return times
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number
}

async function measureStore(name: string, storage: Record<string, unknown>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-namerd-'))
  const n = await startNamerd(
    typeof storage.path === 'string' ? { ...storage, path: join(dir, 'dtabs.json') } : storage,
    dir,
  )
  try {
    const sequential = await updateRate(n.api, ['seq'])
    const concurrent = await updateRate(
      n.api,
      Array.from({ length: 8 }, (_, i) => `c${i}`),
    )
    const times = await fanOut(n.api, 'fan')
    const p = (q: number): string => quantile(times, q).toFixed(1)
    return `| ${name} | ${sequential.toFixed(0)} | ${concurrent.toFixed(0)} | ${p(0.5)} | ${p(0.99)} |`
  } finally {
    n.child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const etcd = await startEtcd()
  const zk = await startZooKeeper()
  try {
    const rows = [
      await measureStore('io.l5d.inMemory', { kind: 'io.l5d.inMemory' }),
      await measureStore('io.l5d.file', { kind: 'io.l5d.file', path: 'x' }),
      await measureStore('io.l5d.etcd', { kind: 'io.l5d.etcd', endpoints: [etcd.endpoint] }),
      await measureStore('io.l5d.zk', {
        kind: 'io.l5d.zk',
        zkAddrs: [{ host: '127.0.0.1', port: zk.port }],
      }),
    ]
    const commit = execSync('git rev-parse --short HEAD').toString().trim()
    const cpu = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`
    console.log(
      `${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpu}`,
    )
    console.log(
      `${seconds} s per update measurement; fan-out: ${watchers} watchers × ${updates} updates\n`,
    )
    console.log(
      '| store | updates/s, 1 writer (GET + PUT If-Match) | updates/s, 8 writers | fan-out p50 ms | fan-out p99 ms |',
    )
    console.log('|---|---|---|---|---|')
    for (const r of rows) console.log(r)
  } finally {
    await etcd.cleanup()
    await zk.cleanup()
    await agent.close()
  }
}

await main()
