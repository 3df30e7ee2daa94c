/**
 * `npm run demo:backends` (scripts/demo-backends.mjs), as a new user runs it: through npm, on
 * the ports examples/disco names. Every endpoint answers with its service and address; Ctrl-C
 * (SIGINT to the terminal's process group) or a SIGTERM to npm alone stops everything, and no
 * process of the group is left holding a port. The ports are fixed by examples/disco, so the
 * tests run one after the other.
 */
import test, { type ExecutionContext } from 'ava'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'node:http'
import { connect } from 'node:http2'
import { eventually } from '../testing/eventually.js'
import { repoPath, repoRoot } from '../testing/paths.js'

const disco = repoPath('examples/disco')

/** `service host:port` for every endpoint line of examples/disco (comments skipped). */
function listedEndpoints(): { service: string; host: string; port: number }[] {
  return readdirSync(disco).flatMap((service) =>
    readFileSync(join(disco, service), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '')
      .map((line) => {
        const [host, port] = line.split(/\s+/)
        return { service, host: host as string, port: Number(port) }
      }),
  )
}

/** GET / on host:port: the body, or the error code (`ECONNREFUSED`) if nothing answers. */
function get(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve(`${res.statusCode} ${body}`))
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    req.end()
  })
}

/** The same over HTTP/2 by prior knowledge (h2c), as the h2 router examples send. */
function h2Get(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const session = connect(`http://${host}:${port}`)
    session.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    const stream = session.request({ ':path': '/users.Users/Get' })
    let status = 0
    let body = ''
    stream.setEncoding('utf8')
    stream.on('response', (h) => (status = Number(h[':status'])))
    stream.on('data', (d: string) => (body += d))
    stream.on('error', () => undefined)
    stream.on('close', () => {
      session.close()
      resolve(`${status} ${body}`)
    })
  })
}

/** Whether any process of group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** `npm run demo:backends` in its own process group (as a terminal runs a job); once up. */
async function startBackends(t: ExecutionContext) {
  const npmCli = process.env.npm_execpath
  const [cmd, args] = npmCli?.endsWith('.js')
    ? [process.execPath, [npmCli, 'run', 'demo:backends']]
    : ['npm', ['run', 'demo:backends']]
  const child = spawn(cmd, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const pgid = child.pid as number
  t.teardown(() => {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL')
  })
  await eventually(
    'demo backends up',
    () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out}`)
      return /demo backends up/.test(out)
    },
    20_000,
  )
  return { child, pgid, output: () => out }
}

const EXPECTED = [
  'billing-zone-b 127.0.0.1:9201',
  'users-v1 127.0.0.1:9001',
  'users-v1 127.0.0.1:9002',
  'users-v2 127.0.0.1:9101',
]

test.serial(
  'every endpoint of examples/disco answers with its service (HTTP/1.1 and h2c); Ctrl-C stops all',
  async (t) => {
    t.timeout(60_000)
    const listed = listedEndpoints()
    t.deepEqual(listed.map((e) => `${e.service} ${e.host}:${e.port}`).sort(), EXPECTED)
    const backends = await startBackends(t)
    for (const { service, host, port } of listed) {
      t.is(await get(host, port), `200 ${service} on ${host}:${port}\n`)
      t.is(await h2Get(host, port), `200 ${service} on ${host}:${port}\n`, 'h2c')
      t.true(backends.output().includes(`${service} on ${host}:${port}\n`), backends.output())
    }
    process.kill(-backends.pgid, 'SIGINT')
    await eventually('the process group to end', () => !groupAlive(backends.pgid), 10_000)
    t.regex(backends.output(), /demo backends stopped/)
    for (const { host, port } of listed) t.is(await get(host, port), 'ECONNREFUSED')
  },
)

test.serial('a SIGTERM to npm alone leaves nothing behind either', async (t) => {
  t.timeout(60_000)
  const backends = await startBackends(t)
  const [first] = listedEndpoints()
  if (first === undefined) return t.fail()
  t.is(await get(first.host, first.port), `200 ${first.service} on ${first.host}:${first.port}\n`)
  backends.child.kill('SIGTERM')
  await eventually('the process group to end', () => !groupAlive(backends.pgid), 10_000)
  for (const { host, port } of listedEndpoints()) t.is(await get(host, port), 'ECONNREFUSED')
})

test.serial('a port already taken is a clear error naming it, and nothing stays up', async (t) => {
  t.timeout(60_000)
  const first = await startBackends(t)
  const second = spawn(process.execPath, [repoPath('scripts/demo-backends.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  second.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise((resolve) => second.once('exit', resolve))
  t.is(code, 1)
  t.regex(
    out,
    /cannot listen on 127\.0\.0\.1:9001 for users-v1: in use \(demo:backends already running\?\)/,
  )
  process.kill(-first.pgid, 'SIGINT')
  await eventually('the process group to end', () => !groupAlive(first.pgid), 10_000)
})

const CONFIGS = [
  ...readdirSync(repoPath('router/examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `router/examples/${f}`),
  ...readdirSync(repoPath('examples/namerd')).map((f) => `examples/namerd/${f}`),
  'examples/per-host/router.yaml',
  'examples/per-host-mtls/router.yaml',
]

test('every example config starts by saying how to try it', (t) => {
  t.true(CONFIGS.length >= 6)
  for (const file of CONFIGS) {
    const head = readFileSync(repoPath(file), 'utf8').split('\n').slice(0, 12).join('\n')
    t.regex(head, /^# Try it/m, file)
    t.regex(head, /npm run demo:backends/, file)
    t.regex(head, /curl /, file)
  }
})
