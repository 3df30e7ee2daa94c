import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { addr, balancerConformance, pickCounts } from '../../testing/router/balancer-conformance.js'
import { seededRandom } from '../../testing/random.js'
import { parseBalancer } from './index.js'
import { P2cBalancer, p2cBalancer } from './p2c.js'

balancerConformance('p2c', p2cBalancer({ maxEffort: 5 }))

test('p2c: of two endpoints, the less loaded one is always picked', (t) => {
  for (const maxEffort of [0, 5]) {
    const b = p2cBalancer({ maxEffort })(seededRandom(11))
    b.update([addr(80), addr(81)])
    const [busy] = b.endpoints
    if (busy !== undefined) busy.pending = 1
    t.deepEqual([...pickCounts(b, 1000)], [['10.0.0.1:81', 1000]], `maxEffort ${maxEffort}`)
  }
})

test('p2c: the most loaded of three is never picked', (t) => {
  const b = p2cBalancer({ maxEffort: 5 })(seededRandom(12))
  b.update([addr(80), addr(81), addr(82)])
  const [, busy] = b.endpoints
  if (busy !== undefined) busy.pending = 3
  const counts = pickCounts(b, 3000)
  t.is(counts.get('10.0.0.1:81'), undefined)
})

test('p2c: load is pending divided by weight', (t) => {
  // 80 (weight 3, 2 in flight) has load 2/3; 81 (weight 1, 1 in flight) has load 1.
  const b = p2cBalancer({ maxEffort: 5 })(seededRandom(13))
  b.update([addr(80, 3), addr(81, 1)])
  const [heavy, light] = b.endpoints
  if (heavy === undefined || light === undefined) return t.fail()
  heavy.pending = 2
  light.pending = 1
  t.deepEqual([...pickCounts(b, 500)], [['10.0.0.1:80', 500]])
  // At 3 in flight its load is 1, a tie: the weighted first draw decides, 3:1.
  heavy.pending = 3
  const counts = pickCounts(b, 40_000)
  const share = ((counts.get('10.0.0.1:80') ?? 0) / 40_000) * 100
  t.true(Math.abs(share - 75) <= 2, String(share))
})

const AT = 'client.loadBalancer'

function parse(raw: unknown) {
  return parseBalancer(new Section(raw, AT))()
}

test('p2c: configs', (t) => {
  const good: [unknown, number][] = [
    [{ kind: 'p2c' }, 5],
    [{}, 5],
    [{ kind: 'p2c', maxEffort: 0 }, 0],
    [{ kind: 'p2c', maxEffort: 12, enableProbation: true }, 12],
    [{ kind: 'p2c', enableProbation: false }, 5],
  ]
  for (const [raw, maxEffort] of good) {
    const b = parse(raw)
    t.true(b instanceof P2cBalancer, JSON.stringify(raw))
    if (b instanceof P2cBalancer) t.is(b.maxEffort, maxEffort)
  }
  const bad: [unknown, string][] = [
    [{ maxEffort: -1 }, `${AT}.maxEffort: expected an integer in [0, Infinity], got number -1`],
    [{ maxEffort: 2.5 }, `${AT}.maxEffort: expected an integer in [0, Infinity], got number 2.5`],
    [{ maxEffort: '5' }, `${AT}.maxEffort: expected an integer in [0, Infinity], got string "5"`],
    [{ enableProbation: 'yes' }, `${AT}.enableProbation: expected true or false, got string "yes"`],
    [{ kind: 'p2c', decayTimeMs: 100 }, `${AT}: unknown key(s): decayTimeMs`],
    [{ kind: 'p2c', maxEfort: 5 }, `${AT}: unknown key(s): maxEfort`],
  ]
  for (const [raw, message] of bad) {
    t.throws(() => parse(raw), { instanceOf: ConfigError, message }, JSON.stringify(raw))
  }
})
