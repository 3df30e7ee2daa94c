import test from 'ava'
import { constant, type Bound } from '../../dtabs/index.js'
import { AccrualBalancer, DEFAULT_ACCRUAL, parseAccrual } from '../accrual/index.js'
import { parseBalancer } from '../balancers/index.js'
import { Section } from '../../lib/config/section.js'
import { nullLog } from '../../lib/log.js'
import { MetricsRegistry, type Entry, type RouterStats } from '../metrics/index.js'
import type { ClientHealthConfig } from '../accrual/index.js'
import { Clients } from './clients.js'

const NONE = parseAccrual(new Section({ kind: 'none' }, 'fa'))

function bound(name: string): Bound {
  const addrs = [80, 81].map((port) => ({ host: '10.0.0.1', port }))
  return { id: ['#', 'io.l5d.fs', name], path: [], addr: constant({ type: 'bound', addrs }) }
}

function clients(stats: RouterStats, health: (name: string) => ClientHealthConfig): Clients {
  return new Clients({
    stats,
    maxSize: 10,
    idleTtlMs: 60_000,
    balancerFor: () => parseBalancer(undefined),
    healthFor: (id) => health(id[2] ?? ''),
    health: { connectProbe: () => Promise.resolve(true), log: nullLog },
  })
}

function gauges(stats: RouterStats): Record<string, number> {
  const out: Entry[] = []
  stats.collectAt(out)
  const found: Record<string, number> = {}
  for (const e of out) if (e.kind === 'gauge') found[e.path.join('/')] = e.value
  return found
}

test('a client watches health unless accrual is none and failFast off (then no wrapper)', (t) => {
  const stats = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 }).router('r')
  const c = clients(stats, (name) =>
    name === 'plain'
      ? { accrual: NONE, failFast: false }
      : { accrual: name === 'fast' ? NONE : DEFAULT_ACCRUAL, failFast: name === 'fast' },
  )
  t.false(c.get(bound('plain')).balancer instanceof AccrualBalancer)
  t.true(c.get(bound('accrual')).balancer instanceof AccrualBalancer)
  t.true(c.get(bound('fast')).balancer instanceof AccrualBalancer)
  const g = gauges(stats)
  for (const name of ['plain', 'accrual', 'fast']) {
    t.is(g[`rt/r/client/#/io.l5d.fs/${name}/loadbalancer/size`], 2, name)
    t.is(g[`rt/r/client/#/io.l5d.fs/${name}/loadbalancer/available`], 2, name)
  }
  t.deepEqual(Object.keys(c.health()), [
    '/#/io.l5d.fs/plain',
    '/#/io.l5d.fs/accrual',
    '/#/io.l5d.fs/fast',
  ])
  c.close()
})

test("a client's gauges come back when its stats were dropped and made again", (t) => {
  const stats = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 }).router('r')
  const c = clients(stats, () => ({ accrual: DEFAULT_ACCRUAL, failFast: false }))
  const b = bound('users')
  c.get(b)
  stats.dropClient('#/io.l5d.fs/users')
  t.is(gauges(stats)['rt/r/client/#/io.l5d.fs/users/loadbalancer/size'], undefined)
  c.get(b)
  t.is(gauges(stats)['rt/r/client/#/io.l5d.fs/users/loadbalancer/size'], 2)
  t.is(gauges(stats)['rt/r/client/#/io.l5d.fs/users/loadbalancer/available'], 2)
  c.close()
})
