#!/usr/bin/env node
// The README's first command (after `npm ci`): namerd (bin/namerd.js, the embedded file store, an
// io.l5d.fs namer), the router (bin/router.js) binding through namerd (io.l5d.namerd.http), and
// three versions of a "users" service. namerctl (bin/namerctl.js) creates the namespace at a 0%
// canary, then walks 10%, 50% and 100% while a steady load runs through the router; each step
// is measured once the router follows the new dtab. Last, `namerctl dtab shift` walks toward a
// broken v3 and rolls itself back at its first gate. Then everything keeps running for you to
// explore until Ctrl-C; `--once` stops at the end. Nothing started here outlives it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { checkPortFree, startChild, stopAll, waitReady } from './demo/children.mjs'
import { LiveDisplay, stepLine } from './demo/display.mjs'
import { Load } from './demo/load.mjs'
import { namerctlRunner } from './demo/namerctl.mjs'
import { routerFollows } from './demo/router-state.mjs'
import { SHOP_DTAB, closeService, demoPorts, usersService, writeFiles } from './demo/setup.mjs'
import { HOW_IT_WORKS, SHIFT_INTRO, banner, dtabFile, explore } from './demo/text.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const once = process.argv.includes('--once')
// Each step runs at least this long and this many requests: the split is random per request,
// so 3,000 keep a 50% step within ±3.5 points with a margin of almost 4 standard deviations.
const HOLD_MS = 2500
const MIN_REQUESTS = 3000
const STEPS = [
  { percent: 0 }, // created so by `dtab create`
  { percent: 10, dst: '90 * /srv/users-v1 & 10 * /srv/users-v2' },
  { percent: 50, dst: '50 * /srv/users-v1 & 50 * /srv/users-v2' },
  { percent: 100, dst: '/srv/users-v2' },
]

// The last act's v3 answers 500 to one request in 10: the shift to it must roll back.
const BROKEN_V3_FAILS_EVERY = 10

let work
let load
let display
let exploring = false
const services = []
const print = (text) => (display ? display.print(text) : console.log(text))

let stopped
/** Stops everything this demo started (load, children, services), removes its dir, exits. */
function shutdown(code) {
  stopped ??= (async () => {
    display?.stop()
    display = undefined
    await load?.stop().catch(() => undefined)
    await stopAll()
    await Promise.all(services.map(closeService))
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
    process.exit(code)
  })()
  return stopped
}

/** Reports why the demo cannot go on and stops it (unless it is already stopping: Ctrl-C). */
function fail(message) {
  if (stopped !== undefined) return
  display?.stop()
  display = undefined
  console.error(`\ndemo: ${message}`)
  void shutdown(1)
}

const onEarlyExit = (name, code, output) =>
  fail(`${name} exited unexpectedly (${code}); its output:\n${output.trimEnd()}`)
process.on('SIGINT', () => void shutdown(exploring ? 0 : 130))
process.on('SIGTERM', () => void shutdown(exploring ? 0 : 143))
process.on('SIGHUP', () => void shutdown(exploring ? 0 : 129)) // the terminal went away
process.on('uncaughtException', (e) => fail(e.stack ?? String(e)))
process.on('unhandledRejection', (e) => fail(e?.stack ?? String(e)))

/** Starts namerd, then the router, each ready before the next. */
async function startAll(ports) {
  const v1 = await usersService('v1')
  const v2 = await usersService('v2')
  const v3 = await usersService('v3', BROKEN_V3_FAILS_EVERY)
  services.push(v1, v2, v3)
  const files = writeFiles(work, ports, { 'users-v1': v1, 'users-v2': v2, 'users-v3': v3 })
  for (const [name, config, admin] of [
    ['namerd', files.namerdConfig, ports.namerdAdmin],
    ['router', files.routerConfig, ports.admin],
  ]) {
    const bin = join(root, 'bin', `${name}.js`)
    const child = startChild(name, bin, [config], join(work, `${name}.log`), onEarlyExit)
    await waitReady(name, child, `http://127.0.0.1:${admin.port}/admin/ready`)
  }
  return { v1: v1.address().port, v2: v2.address().port }
}

/** One canary step: switch (unless it is the first), wait for the router, measure, report. */
async function step({ percent, dst }, namerctl, stateUrl, status) {
  const tally = load.tally()
  status.label = `canary ${String(percent).padStart(3)}%`
  status.tally = tally
  if (dst !== undefined) await namerctl('dtab', 'set', 'shop', '/svc/users', dst)
  const ms = await routerFollows(stateUrl, '/svc/users', percent)
  if (dst !== undefined)
    print(
      `  (the router follows it: seen on its admin page ${Math.ceil(ms)} ms after namerctl returned)`,
    )
  tally.from = performance.now()
  const deadline = tally.from + 60_000
  for (;;) {
    const elapsed = performance.now() - tally.from
    if ((elapsed >= HOLD_MS && tally.n >= MIN_REQUESTS) || performance.now() > deadline) break
    await new Promise((r) => setTimeout(r, 50))
  }
  load.untally(tally)
  print(stepLine(percent, tally, (performance.now() - tally.from) / 1000))
  if (tally.errors > 0) print(`  first error: ${tally.firstError}`)
}

/**
 * The last act: a progressive shift to v3, a broken build, judged on the router's own metrics;
 * its first gate fails and namerctl writes the dtab back (exit 11), under the same load.
 */
async function brokenCanary(namerctl, ports, status) {
  print(`\n${SHIFT_INTRO}`)
  status.label = 'shift to v3'
  status.tally = load.tally()
  const admin = `http://127.0.0.1:${ports.admin.port}`
  await namerctl(
    ...['dtab', 'shift', 'shop', '/svc/users', '--to', '/srv/users-v3', '--steps', '10,50,100'],
    ...['--interval', '3s', '--gate', 'success >= 99%', '--admin', admin],
    { exit: 11 },
  )
  load.untally(status.tally)
  await namerctl('dtab', 'history', 'shop', '-n', '3')
}

async function main() {
  const ports = demoPorts()
  for (const p of Object.values(ports)) await checkPortFree(p.port, p.what, p.env)
  work = mkdtempSync(join(tmpdir(), 'dtab-router-demo-'))
  console.log('Starting namerd, the router and two versions of "users"…')
  const started = await startAll(ports)
  console.log(banner({ ports, work, ...started }))
  const namerctl = namerctlRunner({
    bin: join(root, 'bin', 'namerctl.js'),
    cwd: work,
    baseUrl: `http://127.0.0.1:${ports.namerd.port}`,
    print,
  })
  writeFileSync(join(work, 'shop.dtab'), SHOP_DTAB)
  print(dtabFile('shop.dtab', SHOP_DTAB))
  await namerctl('dtab', 'create', 'shop', 'shop.dtab')
  await namerctl('dtab', 'get', 'shop')
  print('')
  load = new Load(`http://127.0.0.1:${ports.router.port}/`, 'users')
  const status = { label: '', tally: { errors: 0 } }
  display = new LiveDisplay(load, () => ({ label: status.label, errors: status.tally.errors }))
  const stateUrl = `http://127.0.0.1:${ports.admin.port}/demo/interpreter_state/io.l5d.namerd.http/shop.json`
  for (const s of STEPS) await step(s, namerctl, stateUrl, status)
  await brokenCanary(namerctl, ports, status)
  display.stop()
  display = undefined
  await load.stop()
  load = undefined
  console.log(`\n${HOW_IT_WORKS}`)
  await namerctl('dtab', 'delegate', 'shop', '/svc/users')
  await namerctl('dtab', 'bind', 'shop', '/svc/users')
  if (once) return shutdown(0)
  console.log(explore({ ports, root, work }))
  exploring = true
}

main().catch((e) => fail(e.message))
