#!/usr/bin/env node
// The README's first command (after `npm ci`): starts two versions of a demo "users" service and
// the router (bin/router.js, real process) with a watched dtab file, then walks a canary from
// 1% to 50% to 100% by rewriting that file, measuring the split through the router at each step.
// It then leaves everything running for you to explore until Ctrl-C. `--once` exits at the end.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const once = process.argv.includes('--once')
const work = mkdtempSync(join(tmpdir(), 'dtab-router-demo-'))
const ROUTER_PORT = Number(process.env.DEMO_ROUTER_PORT ?? 4140)
const ADMIN_PORT = Number(process.env.DEMO_ADMIN_PORT ?? 9990)
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)

function service(version) {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'text/plain', 'x-version': version })
      res.end(`users ${version}: hello from ${req.headers['l5d-dst-client']}\n`)
    })
    s.listen(0, '127.0.0.1', () => resolve(s))
  })
}

const canary = (v1, v2) => `# The users service: ${v1}% to v1, ${v2}% to v2.
/srv => /#/io.l5d.fs;
/svc => /srv;
/svc/users => ${v1} * /srv/users-v1 & ${v2} * /srv/users-v2;
`

async function split(agent, n) {
  const counts = { v1: 0, v2: 0, errors: 0 }
  let next = 0
  const worker = async () => {
    while (next++ < n) {
      const r = await request(`http://127.0.0.1:${ROUTER_PORT}/`, {
        dispatcher: agent,
        headers: { host: 'users' },
      })
      await r.body.text()
      if (r.statusCode !== 200) counts.errors++
      else counts[r.headers['x-version']]++
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return counts
}

function bar(counts, n) {
  const pct = (k) => ((100 * counts[k]) / n).toFixed(1).padStart(5)
  const width = 40
  const fill = Math.round((width * counts.v2) / n)
  return `v1 ${pct('v1')}%  v2 ${pct('v2')}%  [${'#'.repeat(fill)}${'.'.repeat(width - fill)}]  errors: ${counts.errors}`
}

async function waitReady() {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await request(`http://127.0.0.1:${ADMIN_PORT}/admin/ready`)
      await r.body.text()
      if (r.statusCode === 200) return
    } catch {}
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('the router did not become ready')
}

const [v1, v2] = [await service('v1'), await service('v2')]
const disco = join(work, 'disco')
mkdirSync(disco)
writeFileSync(join(disco, 'users-v1'), `127.0.0.1 ${v1.address().port}\n`)
writeFileSync(join(disco, 'users-v2'), `127.0.0.1 ${v2.address().port}\n`)
const dtabFile = join(work, 'users.dtab')
writeFileSync(dtabFile, canary(99, 1))
const config = join(work, 'router.yaml')
writeFileSync(
  config,
  `admin:\n  port: ${ADMIN_PORT}\nnamers:\n- kind: io.l5d.fs\n  rootDir: ${disco}\nrouters:\n- protocol: http\n  label: demo\n  interpreter:\n    kind: io.l5d.fs\n    dtabFile: ${dtabFile}\n  servers:\n  - port: ${ROUTER_PORT}\n`,
)
const router = spawn(process.execPath, [join(root, 'bin/router.js'), config], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
})
const cleanup = () => {
  router.kill('SIGTERM')
  v1.close()
  v2.close()
  rmSync(work, { recursive: true, force: true })
}
process.once('SIGINT', () => {
  cleanup()
  process.exit(0)
})

try {
  await waitReady()
  const agent = new Agent({ connections: 16 })
  console.log(
    bold(
      `router listening on 127.0.0.1:${ROUTER_PORT} (admin on ${ADMIN_PORT}); two versions of "users" behind it`,
    ),
  )
  console.log(`dtab file ${dtabFile}:\n${canary(99, 1).replace(/^/gm, '  ')}`)
  const n = 2000
  for (const [a, b] of [
    [99, 1],
    [90, 10],
    [50, 50],
    [0, 100],
  ]) {
    writeFileSync(dtabFile, canary(a, b))
    await new Promise((r) => setTimeout(r, 1200))
    console.log(
      `${bold(`canary ${String(b).padStart(3)}%`)}  ${n} requests through the router: ${bar(await split(agent, n), n)}`,
    )
  }
  const explain = spawnSync(
    process.execPath,
    [
      join(root, 'bin/namerctl.js'),
      'dtab',
      'delegate',
      '/svc/users',
      '--dtab-file',
      dtabFile,
      '--fs-root',
      disco,
    ],
    { encoding: 'utf8' },
  )
  console.log(
    `\n${bold('How /svc/users resolves now')} (namerctl dtab delegate; the admin server's /delegator.json says the same in JSON):\n${explain.stdout.replace(/^/gm, '  ')}`,
  )
  await agent.close()
  if (once) {
    cleanup()
    process.exit(0)
  }
  console.log(`\n${bold('Explore')} (Ctrl-C to stop):
  curl -H 'Host: users' http://127.0.0.1:${ROUTER_PORT}/
  curl -H 'Host: users' -H 'l5d-dtab: /svc/users => /srv/users-v1' http://127.0.0.1:${ROUTER_PORT}/   # per-request override
  curl -H 'Host: nope' http://127.0.0.1:${ROUTER_PORT}/                                                # 502, says why
  curl 'http://127.0.0.1:${ADMIN_PORT}/delegator.json?path=/svc/users'
  curl http://127.0.0.1:${ADMIN_PORT}/admin/metrics/prometheus | grep ^rt:
  edit ${dtabFile} and watch the split change.`)
} catch (e) {
  console.error(`demo: ${e.message}`)
  cleanup()
  process.exit(1)
}
