import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { addr, balancerConformance, hold } from '../../testing/router/balancer-conformance.js'
import { seededRandom } from '../../testing/random.js'
import { parseBalancer } from './index.js'
import { RoundRobinBalancer, roundRobinBalancer } from './round-robin.js'

balancerConformance('roundRobin', roundRobinBalancer({ maxEffort: 5 }))

function ports(b: RoundRobinBalancer, n: number): number[] {
  return hold(b, n).map((e) => e.port)
}

test('roundRobin: equal endpoints take turns', (t) => {
  const b = roundRobinBalancer({ maxEffort: 5 })(seededRandom(31))
  b.update([addr(80), addr(81), addr(82)])
  const seq = ports(b as RoundRobinBalancer, 300)
  for (let i = 0; i + 3 <= seq.length; i++) {
    t.deepEqual([...new Set(seq.slice(i, i + 3))].sort(), [80, 81, 82], `window at ${i}`)
  }
})

test('roundRobin: weights 3:1 give three of every four consecutive picks', (t) => {
  const b = new RoundRobinBalancer(seededRandom(32), 5)
  b.update([addr(80, 3), addr(81, 1)])
  const seq = ports(b, 400)
  for (let i = 0; i + 4 <= seq.length; i++) {
    t.is(seq.slice(i, i + 4).filter((p) => p === 80).length, 3, `window at ${i}`)
  }
})

test('roundRobin: the first pick is at a random place in the cycle; updates keep the place', (t) => {
  // Cycle [80, 81, 82, 83]; random 0.6 → start at ⌊0.6 × 4⌋ = 2.
  const b = new RoundRobinBalancer(() => 0.6, 5)
  b.update([80, 81, 82, 83].map((p) => addr(p)))
  t.deepEqual(ports(b, 3), [82, 83, 80])
  // Next is position 1 of the new cycle [80, 81, 83].
  b.update([80, 81, 83].map((p) => addr(p)))
  t.deepEqual(ports(b, 4), [81, 83, 80, 81])
})

const AT = 'client.loadBalancer'

test('roundRobin: configs', (t) => {
  const good: [unknown, number][] = [
    [{ kind: 'roundRobin' }, 5],
    [{ kind: 'roundRobin', maxEffort: 1, enableProbation: false }, 1],
  ]
  for (const [raw, maxEffort] of good) {
    const b = parseBalancer(new Section(raw, AT))()
    t.true(b instanceof RoundRobinBalancer, JSON.stringify(raw))
    if (b instanceof RoundRobinBalancer) t.is(b.maxEffort, maxEffort)
  }
  const bad: [unknown, string][] = [
    [{ kind: 'roundRobin', maxEffort: null, weights: [1] }, `${AT}: unknown key(s): weights`],
    [
      { kind: 'roundRobin', enableProbation: 1 },
      `${AT}.enableProbation: expected true or false, got number 1`,
    ],
  ]
  for (const [raw, message] of bad) {
    t.throws(() => parseBalancer(new Section(raw, AT)), { instanceOf: ConfigError, message })
  }
})
