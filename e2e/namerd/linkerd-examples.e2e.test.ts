/**
 * linkerd 1.7.5's own namerd example configs (namerd/examples/linkerd/) through the real
 * `namerd -validate`: each is valid, with one warning per interface we do not serve (and per
 * ignored telemeter), or needs something this project does not have and says exactly what.
 * One of them is then run for real: it serves the HTTP controller and binds through its
 * io.l5d.fs namer, whose service file uses linkerd's `127.1` spelling.
 */
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { freePort } from '../../testing/free-port.js'
import { repoPath } from '../../testing/paths.js'
import { startNamerd, tempDir, validate } from '../../testing/namerd/process.js'

const dir = repoPath('namerd/examples/linkerd')

const notServed = (i: number, kind: string): string =>
  `interfaces[${i}]: ${kind} is not served here (namerd serves io.l5d.httpController only); ignored`
const THRIFT = 'io.l5d.thriftNameInterpreter'
const STORES = 'known: io.l5d.inMemory, io.l5d.file, io.l5d.etcd, io.l5d.zk'
const NAMERS = 'known: io.l5d.fs, io.l5d.rewrite'

type Expected = { store: string; warnings: string[] } | { error: string }

const EXPECTED: Record<string, Expected> = {
  'all.yaml': {
    store: 'io.l5d.inMemory',
    warnings: [notServed(1, 'io.l5d.mesh'), notServed(2, THRIFT)],
  },
  'basic.yaml': {
    store: 'io.l5d.inMemory',
    warnings: [
      notServed(0, THRIFT),
      'telemetry[1]: io.l5d.influxdb is accepted but ignored (not supported here)',
    ],
  },
  'etcd.yaml': { store: 'io.l5d.etcd', warnings: [notServed(0, THRIFT)] },
  'mesh.yaml': { store: 'io.l5d.inMemory', warnings: [notServed(1, 'io.l5d.mesh')] },
  'minimal.yaml': { store: 'io.l5d.inMemory', warnings: [] },
  'static.yaml': { store: 'io.l5d.inMemory', warnings: [notServed(0, THRIFT)] },
  'zk.yaml': { store: 'io.l5d.zk', warnings: [notServed(0, THRIFT)] },
  'consul-storage.yaml': {
    error: `storage.kind: kind "io.l5d.consul" exists in linkerd but is not supported here (${STORES})`,
  },
  'consul.yaml': {
    error: `namers[0].kind: kind "io.l5d.consul" exists in linkerd but is not supported here (${NAMERS})`,
  },
  'destination.yaml': {
    error: `storage.kind: kind "io.l5d.k8s" exists in linkerd but is not supported here (${STORES})`,
  },
  'k8s.yaml': {
    error: `storage.kind: kind "io.l5d.k8s" exists in linkerd but is not supported here (${STORES})`,
  },
  'k8s-mesh.yaml': {
    error: `namers[0].kind: kind "io.l5d.k8s" exists in linkerd but is not supported here (${NAMERS})`,
  },
  'tls.yaml': {
    store: 'io.l5d.inMemory',
    warnings: [notServed(0, THRIFT), notServed(3, 'io.l5d.mesh')],
  },
}

/** The `msg` of every JSON log line at level warn in `out`. */
function warnings(out: string): string[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; msg: string })
    .filter((entry) => entry.level === 'warn')
    .map((entry) => entry.msg)
}

test('every linkerd 1.7.5 namerd example is here, and has an expected outcome', (t) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
  t.deepEqual(files.sort(), Object.keys(EXPECTED).sort())
  t.is(files.length, 13)
})

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`namerd -validate linkerd's ${file}`, (t) => {
    const r = validate(join(dir, file), '-validate')
    if ('error' in expected) {
      t.is(r.status, 1, r.out)
      t.is(r.out, `namerd: ${expected.error}\n`)
      return
    }
    t.is(r.status, 0, r.out)
    t.true(
      r.out.split('\n').includes(`${join(dir, file)}: valid (storage ${expected.store})`),
      r.out,
    )
    t.deepEqual(warnings(r.out), expected.warnings)
  })
}

test("linkerd's all.yaml runs: the HTTP controller serves and binds 127.1 endpoints", async (t) => {
  t.timeout(60_000)
  const config = parseYaml(readFileSync(join(dir, 'all.yaml'), 'utf8')) as {
    admin: { port: number }
    interfaces: { kind: string; port?: number }[]
  }
  // Only the ports change (9991 and 4180 may be taken here); mesh and thrift keep theirs.
  t.deepEqual(config.interfaces[0], { kind: 'io.l5d.httpController' })
  const namerd = await startNamerd(t, tempDir(t), { ...config, admin: { port: await freePort() } })
  const api = `${namerd.api}/api/1`
  t.is(await (await fetch(`${api}/dtabs`)).text(), '["default"]\n')
  const bound = (await (await fetch(`${api}/bind/default?path=/svc/default`)).json()) as {
    bound: { id: string; addr: { addrs: { ip: string; port: number }[] } }
  }
  t.is(bound.bound.id, '/#/io.l5d.fs/default')
  t.deepEqual(
    bound.bound.addr.addrs.map((a) => `${a.ip}:${a.port}`),
    ['127.0.0.1:9990', '127.0.0.2:9990'],
  )
  t.is(await namerd.stop(), 0, namerd.output())
})
