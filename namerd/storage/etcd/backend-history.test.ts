/**
 * The etcd history layout against a real etcd: where the entries are, that each is written in
 * its change's transaction, that they outlive the backend and an etcd restart, and that entries
 * someone else wrote under the prefix never break namerd.
 */
import test, { type ExecutionContext } from 'ava'
import { Etcd3 } from 'etcd3'
import { readDtab } from '../../../dtabs/index.js'
import { nullLog, type Log } from '../../../lib/log.js'
import { eventually } from '../../../testing/eventually.js'
import { freshNamespace } from '../../../testing/namerd/storage-conformance.js'
import { startEtcd, type EtcdServer } from '../../../testing/servers/etcd-server.js'
import type { HistoryEntry } from '../backend.js'
import { DtabStore } from '../dtab-store.js'
import { decimalVersion } from '../version.js'
import { EtcdBackend } from './backend.js'

const d = readDtab
let etcd: EtcdServer
let raw: Etcd3

test.before(async () => {
  etcd = await startEtcd()
  raw = new Etcd3({ hosts: `http://${etcd.endpoint}` })
})

test.after.always(async () => {
  raw?.close()
  await etcd?.cleanup()
})

/** A backend on `prefix`, closed when the test ends. */
function open(t: ExecutionContext, prefix: string, log: Log = nullLog, size?: number): EtcdBackend {
  const b = new EtcdBackend({ hosts: [`http://${etcd.endpoint}`], pathPrefix: prefix }, log, size)
  t.teardown(() => b.close())
  return b
}

const freshPrefix = (): string => `/t/${freshNamespace('hist')}`
const shown = (h: readonly HistoryEntry[]): string[] =>
  h.map((e) => `${e.text ?? '<deleted>'}@${e.rev}:${e.by ?? ''}:${e.message ?? ''}`)

test.serial(
  'layout: one key per change under <pathPrefix>/~history/<ns>/, in the change transaction, never listed or watched',
  async (t) => {
    const prefix = freshPrefix()
    const ns = freshNamespace('layout')
    const store = new DtabStore(open(t, prefix))
    const changes: string[] = []
    let watching = false
    open(t, prefix).watch({
      snapshot: (all) => {
        watching = true
        changes.push(...[...all.keys()].map((n) => `snapshot:${n}`))
      },
      change: (n) => changes.push(n),
      reachable: () => undefined,
    })
    await eventually('the watch reads first', () => watching)
    t.is(await store.create(ns, d('/a=>/1'), { by: 'alice', message: 'hi' }), 'ok')
    const created = (await raw.get(`${prefix}/${ns}`).exec()).kvs[0]
    await store.delete(ns)
    const entries = (
      await raw.getAll().prefix(`${prefix}/~history/${ns}/`).sort('Mod', 'Ascend').exec()
    ).kvs
    t.is(entries.length, 2)
    const [write, deletion] = entries.map((kv) => JSON.parse(kv.value.toString()) as object)
    t.like(write, { by: 'alice', message: 'hi', text: '/a=>/1' })
    t.like(deletion, { deleted: created?.mod_revision })
    t.is(entries[0]?.mod_revision, created?.mod_revision, 'the entry and the write: one revision')
    t.deepEqual(await store.list(), [], 'history keys are no namespaces')
    await eventually('the watch', () => changes.length >= 2)
    t.true(
      changes.every((c) => c === ns),
      `the watch saw namespaces only: ${changes.join(' ')}`,
    )
  },
)

test.serial('history outlives the backend, and an etcd kill and restart', async (t) => {
  const prefix = freshPrefix()
  const ns = freshNamespace('restart')
  const first = new DtabStore(open(t, prefix))
  await first.create(ns, d('/a=>/1'), { message: 'one' })
  await first.put(ns, d('/a=>/2'), { by: 'token' })
  await first.delete(ns, { message: 'gone' })
  const before = shown(await first.history(ns))
  t.is(before.length, 3)
  await first.close()

  await etcd.kill()
  await etcd.start()
  const second = new DtabStore(open(t, prefix))
  await eventually('etcd back', async () => (await second.history(ns).catch(() => [])).length > 0)
  t.deepEqual(shown(await second.history(ns)), before)
  await second.create(ns, d('/a=>/3'))
  t.deepEqual(shown(await second.history(ns)).slice(0, 3), before, 'a re-created one continues')
})

test.serial('entries namerd did not write are skipped and logged, never a failure', async (t) => {
  const prefix = freshPrefix()
  const ns = freshNamespace('corrupt')
  const warnings: string[] = []
  const log = { ...nullLog, warn: (msg: string) => void warnings.push(msg) }
  const store = new DtabStore(open(t, prefix, log))
  await store.create(ns, d('/a=>/1'))
  const dir = `${prefix}/~history/${ns}/`
  for (const [i, value] of ['garbage', '{"at":1}', '[]', '{"at":1,"text":7}'].entries())
    await raw.put(`${dir}zz-${i}`).value(value)
  await store.put(ns, d('/a=>/2'))
  t.deepEqual(
    (await store.history(ns)).map((e) => e.text),
    ['/a=>/1', '/a=>/2'],
  )
  t.true(warnings.some((w) => w.includes('unreadable history entries')))
})

test.serial('trimming deletes many old entries in batches and keeps the newest', async (t) => {
  const prefix = freshPrefix()
  const ns = freshNamespace('trim')
  const store = new DtabStore(open(t, prefix, nullLog, 2))
  const dir = `${prefix}/~history/${ns}/`
  for (let i = 0; i < 150; i++) await raw.put(`${dir}old-${i}`).value(`{"at":1,"text":"/o=>/${i}"}`)
  await store.create(ns, d('/a=>/1'))
  await store.put(ns, d('/a=>/2'))
  await eventually('trimmed', async () => (await raw.getAll().prefix(dir).count()) === 2)
  t.deepEqual(
    (await store.history(ns)).map((e) => e.text),
    ['/a=>/1', '/a=>/2'],
  )
})

test.serial('a delete racing other writers names the version it deleted', async (t) => {
  const prefix = freshPrefix()
  const ns = freshNamespace('race')
  const key = `${prefix}/${ns}`
  const store = new DtabStore(open(t, prefix))
  await store.create(ns, d('/a=>/0'))
  let racing = true
  const writer = (async () => {
    for (let i = 1; racing; i++) {
      await raw.put(key).value(`/a=>/${i}`)
      await new Promise((r) => setTimeout(r, 3))
    }
  })()
  t.is(await store.delete(ns), 'ok')
  racing = false
  await writer
  const deletion = (await store.history(ns)).find((e) => e.text === undefined)
  t.truthy(deletion)
  const rev = deletion?.rev ?? 0n
  const justBefore = (
    await raw
      .get(key)
      .revision((rev - 1n).toString())
      .exec()
  ).kvs[0]
  t.is(deletion?.version, decimalVersion(BigInt(justBefore?.mod_revision ?? -1)))
  t.is((await raw.get(key).revision(rev.toString()).exec()).kvs.length, 0, 'deleted at rev')
})

test.serial(
  'a write too large for etcd with its history entry is refused as such (413)',
  async (t) => {
    const store = new DtabStore(open(t, freshPrefix()))
    const ns = freshNamespace('large')
    const dentries = Array.from(
      { length: 24_000 },
      (_, i) => `/svc/n${i}=>/#/io.l5d.fs/service-${i}`,
    )
    const big = d(dentries.join(';'))
    const e = await t.throwsAsync(store.put(ns, big))
    t.is((e as { code?: string }).code, 'ERR_STORE_VALUE_TOO_LARGE', e?.message)
    t.regex(e?.message ?? '', /refused the write for its size/)
    t.is((await store.get(ns)).type, 'absent', 'nothing written')
    t.is((await store.history(ns)).length, 0)
  },
)
