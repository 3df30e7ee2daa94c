/**
 * namerd's etcd storage over TLS, with client certificates (etcd `--client-cert-auth`): the
 * config's `tls` section (`caCertPath`, `certPath`, `keyPath`) reaches a real etcd, whose
 * certificates a CA made with openssl issued. A client without a certificate, or with one from
 * another CA, is refused, and namerd says the store is unavailable rather than hanging.
 */
import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readDtab } from '../../../dtabs/index.js'
import { Section } from '../../../lib/config/section.js'
import { nullLog } from '../../../lib/log.js'
import { eventually } from '../../../testing/eventually.js'
import { freshNamespace, record, textOf } from '../../../testing/namerd/storage-conformance.js'
import { startEtcd, type EtcdServer } from '../../../testing/servers/etcd-server.js'
import { makeCa, type Ca, type Issued } from '../../../testing/tls/pki.js'
import { DtabStore } from '../dtab-store.js'
import { EtcdBackend } from './backend.js'
import { etcdOptions, readEtcdConfig } from './plugin.js'

const dir = mkdtempSync(join(tmpdir(), 'etcd-tls-'))
let etcd: EtcdServer
let ca: Ca
let client: Issued
let stranger: Issued

test.before(async () => {
  ca = await makeCa(dir, 'ca')
  const other = await makeCa(dir, 'other-ca')
  const server = await ca.issue('etcd', { ip: ['127.0.0.1'], dns: ['localhost'], usage: 'both' })
  client = await ca.issue('namerd', { usage: 'client' })
  stranger = await other.issue('stranger', { usage: 'client' })
  etcd = await startEtcd({ cert: server.cert, key: server.key, clientCa: ca.cert, client })
})

test.after.always(async () => {
  await etcd?.cleanup()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * A DtabStore on the etcd, from a namerd `storage` section with `tls` (by name: a TLS server
 * name cannot be an IP address).
 */
function store(tls: Record<string, string>): DtabStore {
  const section = new Section(
    { host: 'localhost', port: etcd.port, pathPrefix: '/tls', tls },
    'storage',
  )
  const config = readEtcdConfig(section)
  return new DtabStore(new EtcdBackend(etcdOptions(config, {}), nullLog), {
    readTimeoutMs: 3000,
    writeTimeoutMs: 3000,
  })
}

test.serial('with its client certificate, namerd reads, writes and watches over TLS', async (t) => {
  const s = store({ caCertPath: ca.cert, certPath: client.cert, keyPath: client.key })
  t.teardown(() => s.close())
  const ns = freshNamespace('tls')
  t.is(await s.create(ns, readDtab('/svc=>/#/io.l5d.fs')), 'ok')
  const seen = record(s.observe(ns))
  t.teardown(seen.stop)
  const got = await s.get(ns)
  t.is(got.type === 'found' ? textOf(got) : got.type, '/svc=>/#/io.l5d.fs')
  const version = got.type === 'found' ? got.version : ''
  t.is(await s.update(ns, readDtab('/svc=>/#/io.l5d.k8s'), version), 'ok')
  await eventually('the watch saw the update', () =>
    seen.seen.some((v) => textOf(v) === '/svc=>/#/io.l5d.k8s'),
  )
})

for (const [what, tls] of [
  ['without a client certificate', () => ({ caCertPath: ca.cert })],
  [
    'with a certificate from another CA',
    () => ({ caCertPath: ca.cert, certPath: stranger.cert, keyPath: stranger.key }),
  ],
] as const) {
  test.serial(`${what}, etcd refuses namerd: the store is unavailable, not hung`, async (t) => {
    const s = store(tls())
    t.teardown(() => s.close())
    const err = await t.throwsAsync(s.get(freshNamespace('refused')))
    t.regex(String(err?.message), /unavailable|etcd|timed out|tls|certificate|handshake/i)
  })
}
