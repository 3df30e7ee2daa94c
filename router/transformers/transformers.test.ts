import test from 'ava'
import {
  ADDR_NEG,
  ADDR_PENDING,
  EMPTY,
  FAIL,
  NEG,
  readPath,
  showPath,
  type Addr,
  type Bound,
  type BoundLeaf,
  type NameTree,
} from '../../dtabs/index.js'
import { addrs, bound, leaf, make, only, shownAddr } from '../../testing/router/transformers.js'

test('io.l5d.port: ids get /%/io.l5d.port/<port>; every endpoint gets the port, one per host', (t) => {
  const port = make({ kind: 'io.l5d.port', port: 4141 })
  const meta = { endpoint_addr_weight: 2 }
  const source: Addr = {
    type: 'bound',
    addrs: [
      { host: '10.0.0.1', port: 8080, meta },
      { host: '10.0.0.1', port: 8081 },
      { host: '10.0.0.2', port: 8080 },
    ],
    meta: { set: 1 },
  }
  const out = only(port.transform(leaf(bound('/#/io.l5d.fs/web', source))))
  t.is(showPath(out.bound.id), '/%/io.l5d.port/4141/#/io.l5d.fs/web')
  const addr = out.bound.addr.get()
  t.is(shownAddr(addr), '10.0.0.1:4141 10.0.0.2:4141')
  t.deepEqual(addr, {
    type: 'bound',
    addrs: [
      { host: '10.0.0.1', port: 4141, meta },
      { host: '10.0.0.2', port: 4141 },
    ],
    meta: { set: 1 },
  })
})

test('io.l5d.localhost keeps this host’s addresses (IPv6 by value); none left is neg', (t) => {
  const local = make({ kind: 'io.l5d.localhost' }, { interfaceAddresses: ['127.0.0.1', '::1'] })
  const b = bound('/#/io.l5d.fs/web', addrs('127.0.0.1:1', '10.9.9.9:2', '0:0:0:0:0:0:0:1:3'))
  const out = only(local.transform(leaf(b)))
  t.is(showPath(out.bound.id), '/%/io.l5d.localhost/#/io.l5d.fs/web')
  t.is(shownAddr(out.bound.addr.get()), '127.0.0.1:1 0:0:0:0:0:0:0:1:3')
  const remote = only(local.transform(leaf(bound('/#/x/remote', addrs('10.9.9.9:2', 'web:80')))))
  t.is(remote.bound.addr.get(), ADDR_NEG)
  const empty = only(local.transform(leaf(bound('/#/x/none', addrs()))))
  t.is(empty.bound.addr.get(), ADDR_NEG)
})

test('io.l5d.localhost without deps reads the interfaces: 127.0.0.1 is local', (t) => {
  const local = make({ kind: 'io.l5d.localhost' })
  const out = only(local.transform(leaf(bound('/#/x/web', addrs('127.0.0.1:80', '192.0.2.7:80')))))
  t.is(shownAddr(out.bound.addr.get()), '127.0.0.1:80')
})

test('io.l5d.specificHost keeps one IP; a prefix override replaces the default', (t) => {
  const one = make({ kind: 'io.l5d.specificHost', host: '172.17.0.1', prefix: '/docker' })
  const out = only(one.transform(leaf(bound('/#/x/web', addrs('172.17.0.1:80', '172.17.0.2:80')))))
  t.is(showPath(out.bound.id), '/%/docker/#/x/web')
  t.is(shownAddr(out.bound.addr.get()), '172.17.0.1:80')
  const none = only(one.transform(leaf(bound('/#/x/web', addrs('172.17.0.2:80')))))
  t.is(none.bound.addr.get(), ADDR_NEG)
})

test('neg, fail and empty trees, and pending/failed/neg address sets, pass through', (t) => {
  const port = make({ kind: 'io.l5d.port', port: 4141 })
  for (const tree of [NEG, FAIL, EMPTY]) t.is(port.transform(tree), tree)
  const failed: Addr = { type: 'failed', cause: 'malformed address: x' }
  for (const a of [ADDR_PENDING, ADDR_NEG, failed]) {
    t.is(only(port.transform(leaf(bound('/#/x/y', a)))).bound.addr.get(), a)
  }
})

test('weights, alternations and residuals are kept', (t) => {
  const port = make({ kind: 'io.l5d.port', port: 1 })
  const a = bound('/#/x/a', addrs('10.0.0.1:80'))
  const b: Bound = { ...bound('/#/x/b', addrs('10.0.0.2:80')), path: readPath('/rest') }
  const tree: NameTree<BoundLeaf> = {
    type: 'union',
    trees: [
      { weight: 9, tree: leaf(a, 9) },
      { weight: 1, tree: { type: 'alt', trees: [NEG, leaf(b, 1)] } },
    ],
  }
  const out = port.transform(tree)
  if (out.type !== 'union') return t.fail(out.type)
  t.deepEqual(
    out.trees.map((w) => w.weight),
    [9, 1],
  )
  const second = out.trees[1]?.tree
  if (second?.type !== 'alt') return t.fail()
  t.is(second.trees[0], NEG)
  const bLeaf = only(second.trees[1] as NameTree<BoundLeaf>)
  t.is(bLeaf.weight, 1)
  t.is(showPath(bLeaf.bound.path), '/rest')
  t.is(only(out.trees[0]?.tree as NameTree<BoundLeaf>).weight, 9)
})

test('IPs are compared by value, as linkerd compares InetAddresses: 127.1 is 127.0.0.1', (t) => {
  const port = make({ kind: 'io.l5d.port', port: 4141 })
  const ported = only(port.transform(leaf(bound('/#/x/web', addrs('127.1:80', '127.0.0.1:81')))))
  t.is(shownAddr(ported.bound.addr.get()), '127.1:4141')
  const one = make({ kind: 'io.l5d.specificHost', host: '172.17.1' })
  const kept = only(one.transform(leaf(bound('/#/x/web', addrs('172.17.0.1:80', '172.17.1.0:80')))))
  t.is(shownAddr(kept.bound.addr.get()), '172.17.0.1:80')
  const local = make({ kind: 'io.l5d.localhost' }, { interfaceAddresses: ['127.0.0.1'] })
  const near = only(local.transform(leaf(bound('/#/x/web', addrs('127.1:1', '2130706433:2')))))
  t.is(shownAddr(near.bound.addr.get()), '127.1:1 2130706433:2')
})
