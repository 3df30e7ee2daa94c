import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { balancers, parseBalancer } from './index.js'
import { P2cBalancer } from './p2c.js'

const AT = 'routers[0].client.loadBalancer'

test('balancers: the kinds, in order', (t) => {
  t.deepEqual([...balancers.keys()], ['p2c', 'ewma', 'roundRobin'])
})

test('parseBalancer: p2c with maxEffort 5 when absent', (t) => {
  for (const section of [undefined, new Section({}, AT)]) {
    const b = parseBalancer(section)()
    t.true(b instanceof P2cBalancer)
    if (b instanceof P2cBalancer) t.is(b.maxEffort, 5)
  }
})

test('parseBalancer: kinds linkerd has and this project does not, and unknown kinds', (t) => {
  const known = '(known: p2c, ewma, roundRobin)'
  const bad: [unknown, string][] = [
    [
      { kind: 'aperture' },
      `${AT}.kind: kind "aperture" exists in linkerd but is not supported here ${known}`,
    ],
    [
      { kind: 'heap' },
      `${AT}.kind: kind "heap" exists in linkerd but is not supported here ${known}`,
    ],
    [{ kind: 'leastConn' }, `${AT}.kind: unknown kind "leastConn" ${known}`],
    [{ kind: 'P2C' }, `${AT}.kind: unknown kind "P2C" ${known}`],
    [{ kind: 7 }, `${AT}.kind: expected a string, got number 7`],
    [
      { kind: 'p2c', experimental: 'yes' },
      `${AT}.experimental: expected true or false, got string "yes"`,
    ],
    [{ kind: 'p2c', smoothWindowMs: 5000 }, `${AT}: unknown key(s): smoothWindowMs`],
  ]
  for (const [raw, message] of bad) {
    t.throws(() => parseBalancer(new Section(raw, AT)), { instanceOf: ConfigError, message })
  }
})
