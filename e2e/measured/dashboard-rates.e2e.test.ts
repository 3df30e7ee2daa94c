// The router admin's dashboard in a real browser (Debian chromium), against the real router
// process under a steady load: its figures follow the load and agree with /admin/metrics.json.
// Measured: it runs alone, after the rest (ava.measured.config.mjs), since the rates it
// compares are those of a machine with nothing else to do; backends and load have their own
// processes, as this one is busy driving the browser.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { openPage, screenshot, type TestPage } from '../../testing/browser.js'
import { eventually } from '../../testing/eventually.js'
import { adminMetrics, type RunningRouter } from '../../testing/router/process.js'
import { backendProcesses, metricSum, routerOver } from '../../testing/router/resilience.js'
import { steadyLoadProcess } from '../../testing/steady-load-process.js'

const SUCCESS = /^rt\/[^/]+\/server\/.*\/success$/
const FAILURES = /^rt\/[^/]+\/server\/.*\/failures$/

/** The router's figure `name` as the dashboard shows it now (its raw value), or null. */
async function figure(page: TestPage, name: string): Promise<number | null> {
  const v = await page
    .locator(`section.router .stats [data-figure="${name}"]`)
    .getAttribute('data-value')
  return v === null || v === '' ? null : Number(v)
}

/**
 * Rate and success share of the router's servers over `ms`, from /admin/metrics.json read every
 * 400 ms. The rate is the median slope between every two reads (Theil-Sen): this process is
 * busy driving a browser, so a read may be answered, or its answer handled, late, and one late
 * read must not skew the rate.
 */
async function measured(
  router: RunningRouter,
  ms: number,
): Promise<{ rps: number; success: number }> {
  const reads: { at: number; ok: number; ended: number }[] = []
  const end = performance.now() + ms
  while (performance.now() < end) {
    const at = performance.now()
    const m = await adminMetrics(router)
    const ok = metricSum(m, SUCCESS)
    reads.push({ at, ok, ended: ok + metricSum(m, FAILURES) })
    await sleep(400)
  }
  const slopes: number[] = []
  for (let i = 0; i < reads.length; i++)
    for (let j = i + 1; j < reads.length; j++) {
      const [a, b] = [reads[i], reads[j]] as [(typeof reads)[0], (typeof reads)[0]]
      slopes.push(((b.ended - a.ended) * 1000) / (b.at - a.at))
    }
  slopes.sort((x, y) => x - y)
  const [first, last] = [reads[0], reads.at(-1)] as [(typeof reads)[0], (typeof reads)[0]]
  const success = (last.ok - first.ok) / (last.ended - first.ended)
  return { rps: slopes[Math.floor(slopes.length / 2)] as number, success }
}

/** The page's sample time and router figures, read at once (a string: it runs in the page). */
const ONE_READ = `(() => {
  const value = (name) => document.querySelector(
    'section.router .stats [data-figure="' + name + '"]')?.getAttribute('data-value')
  const routers = document.querySelector('#routers')
  return [routers?.getAttribute('data-sampled-at'), routers?.getAttribute('data-covered-ms'),
    value('rps'), value('success')]
})()`

/**
 * The dashboard's figures over `ms`: each interval the page showed counted once (the page
 * polls about as often as the admin samples, so it may show one twice), weighted by its
 * length (a busy admin samples late: a long interval, then a short one).
 */
async function shown(page: TestPage, ms: number): Promise<{ rps: number; success: number }> {
  const seen = new Map<string, { ms: number; rps: number; success: number }>()
  const end = performance.now() + ms
  while (performance.now() < end) {
    // In one step: the page may update between two reads.
    const [at, covered, rps, success] = (await page.evaluate(ONE_READ)) as (string | null)[]
    if (at && covered && rps && success) {
      seen.set(at, { ms: Number(covered), rps: Number(rps), success: Number(success) })
    }
    await sleep(200)
  }
  const all = [...seen.values()]
  const sum = (f: (x: (typeof all)[0]) => number) => all.reduce((s, x) => s + f(x), 0)
  const requests = sum((x) => x.rps * x.ms)
  return {
    rps: requests / sum((x) => x.ms),
    success: sum((x) => x.success * x.rps * x.ms) / requests,
  }
}

function within(t: import('ava').ExecutionContext, what: string, got: number, want: number): void {
  t.true(
    Math.abs(got - want) <= 0.1 * want,
    `${what}: the dashboard shows ${got}, metrics.json says ${want}`,
  )
}

test('under a steady load the dashboard follows the rate and success rate, as /admin/metrics.json counts them', async (t) => {
  t.timeout(60_000)
  const backends = await backendProcesses(t, 2)
  const router = await routerOver(t, backends)
  const page = await openPage(t, `http://127.0.0.1:${router.adminPort}/`)
  const slow = steadyLoadProcess(t, { port: router.port, host: 'svc', rate: 40, methods: ['GET'] })
  await eventually(
    'the dashboard shows the load',
    async () => ((await figure(page, 'rps')) ?? 0) > 20,
    10_000,
    200,
  )
  const [before, expected] = await Promise.all([shown(page, 8000), measured(router, 8000)])
  within(t, 'req/s at 40', before.rps, expected.rps)
  t.is(before.success, 1)
  // Three times the load, and one backend failing every other request: a quarter fail.
  await backends[1]?.setMode({ kind: 'fail', status: 500, every: 2 })
  const fast = steadyLoadProcess(t, { port: router.port, host: 'svc', rate: 80, methods: ['GET'] })
  await eventually(
    'the dashboard shows the new load',
    async () => ((await figure(page, 'rps')) ?? 0) > 100,
    10_000,
    200,
  )
  const [after, now] = await Promise.all([shown(page, 8000), measured(router, 8000)])
  within(t, 'req/s at 120', after.rps, now.rps)
  within(t, 'success', after.success, now.success)
  t.true(after.success < 0.95, `some failed: ${after.success}`)
  // The services and clients tables show the same service and its two endpoints.
  t.is(await page.locator('.services tbody tr').count(), 1)
  t.is(await page.locator('.services tbody a').textContent(), '/svc/svc')
  t.is(await page.locator('.clients ul.endpoints li').count(), 2)
  await screenshot(page, 'dashboard')
  await slow.stop()
  await fast.stop()
  page.clean(t)
})
