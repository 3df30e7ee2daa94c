/**
 * The storage conformance suite: the behaviour every `storage` kind must show, run against each
 * one (namerd/storage/{memory,file,etcd,zk}/backend.test.ts) with real servers where there is
 * one. Each test works in its own namespaces, so one server serves the whole suite.
 */
import type { TestFn } from 'ava'
import { readDtab, showDtab, type Var } from '../../dtabs/index.js'
import { eventually } from '../eventually.js'
import type { DtabStore } from '../../namerd/storage/dtab-store.js'
import type { NsState } from '../../namerd/storage/namespace-cache.js'

export interface StoreUnderTest {
  /** A namerd's store on the shared backend. */
  readonly store: DtabStore
  /** Another namerd's store on the same data (a replica), if the kind can share. */
  readonly replica?: DtabStore
}

let counter = 0
/** A namespace no other test uses. */
export function freshNamespace(tag: string): string {
  counter++
  return `${tag}-${process.pid}-${counter}-${Math.floor(Math.random() * 1e6)}`
}

const d = readDtab

/** The text of a found state, else its type. */
export function textOf(s: NsState): string {
  return s.type === 'found' ? showDtab(s.dtab) : `<${s.type}>`
}

/** Records every value `v` takes from now on. */
export function record<T>(v: Var<T>): { readonly seen: T[]; readonly stop: () => void } {
  const seen: T[] = [v.get()]
  const stop = v.subscribe((x) => seen.push(x))
  return { seen, stop }
}

async function versionOf(store: DtabStore, ns: string): Promise<string> {
  const s = await store.get(ns)
  if (s.type !== 'found') throw new Error(`${ns} is ${s.type}`)
  return s.version
}

/** What a test asks of the store it opens. */
export interface OpenOptions {
  /** Past values kept per namespace (the builder's `historySize`); default the store's. */
  readonly historySize?: number
}

/** Registers the suite under `kind` for stores that `open()` gives (one per test). */
export function storeConformance(
  test: TestFn,
  kind: string,
  open: (o: OpenOptions) => Promise<StoreUnderTest>,
  close: (s: StoreUnderTest) => Promise<void> = async (s) => {
    await s.store.close()
    await s.replica?.close()
  },
): void {
  const t: Register = (title, body, o = {}) => {
    test.serial(`${kind}: ${title}`, async (tt) => {
      const s = await open(o)
      try {
        await body(s, freshNamespace('conf'))
        tt.pass()
      } finally {
        await close(s)
      }
    })
  }
  registerCrud(t)
  registerWatch(t)
  registerCas(t)
  registerHistory(t)
}

type Register = (
  title: string,
  body: (s: StoreUnderTest, ns: string) => Promise<void>,
  o?: OpenOptions,
) => void

function assert(cond: boolean, message: string): void {
  if (!cond) throw new Error(message)
}

function registerCrud(t: Register): void {
  t('create, then read it back with a version', async ({ store }, ns) => {
    assert((await store.create(ns, d('/svc=>/srv;/srv/a=>/$/inet/127.0.0.1/1'))) === 'ok', 'create')
    const got = await store.get(ns)
    assert(textOf(got) === '/svc=>/srv;/srv/a=>/$/inet/127.0.0.1/1', `read ${textOf(got)}`)
    assert(got.type === 'found' && got.version.length > 0, 'a version')
    assert((await store.create(ns, d('/a=>/b'))) === 'exists', 'second create is exists')
    assert(textOf(await store.get(ns)) === '/svc=>/srv;/srv/a=>/$/inet/127.0.0.1/1', 'unchanged')
  })
  t(
    'update with the current version, a stale one, garbage, and on a missing namespace',
    async ({ store }, ns) => {
      await store.create(ns, d('/a=>/b'))
      const v1 = await versionOf(store, ns)
      assert((await store.update(ns, d('/a=>/c'), v1)) === 'ok', 'update with current version')
      const v2 = await versionOf(store, ns)
      assert(v2 !== v1, 'a new version')
      assert((await store.update(ns, d('/a=>/d'), v1)) === 'version-mismatch', 'stale version')
      assert(
        (await store.update(ns, d('/a=>/d'), '!!not base64')) === 'version-mismatch',
        'garbage',
      )
      assert((await store.update(ns, d('/a=>/d'), '')) === 'version-mismatch', 'empty version')
      assert(textOf(await store.get(ns)) === '/a=>/c', 'failed updates change nothing')
      assert((await store.update(`${ns}-x`, d('/a=>/d'), v2)) === 'not-found', 'missing namespace')
    },
  )
  t('put creates and replaces without a version', async ({ store }, ns) => {
    await store.put(ns, d('/a=>/b'))
    assert(textOf(await store.get(ns)) === '/a=>/b', 'put created')
    const v1 = await versionOf(store, ns)
    await store.put(ns, d('/a=>/c'))
    assert(textOf(await store.get(ns)) === '/a=>/c', 'put replaced')
    assert((await versionOf(store, ns)) !== v1, 'put made a new version')
  })
  t(
    'delete, then it is absent; deleting again is not-found; create again works',
    async ({ store }, ns) => {
      await store.create(ns, d('/a=>/b'))
      assert((await store.delete(ns)) === 'ok', 'delete')
      assert((await store.get(ns)).type === 'absent', 'absent after delete')
      assert((await store.delete(ns)) === 'not-found', 'second delete')
      assert((await store.create(ns, d('/a=>/c'))) === 'ok', 'create after delete')
      assert(textOf(await store.get(ns)) === '/a=>/c', 're-created value')
    },
  )
  t('list holds every namespace, sorted', async ({ store }, ns) => {
    for (const n of [`${ns}-b`, `${ns}-a`, `${ns}-c`]) await store.create(n, d('/a=>/b'))
    await store.delete(`${ns}-c`)
    const names = await store.list()
    const mine = names.filter((n) => n.startsWith(ns))
    assert(
      JSON.stringify(mine) === JSON.stringify([`${ns}-a`, `${ns}-b`]),
      `list ${mine.join(',')}`,
    )
    assert(JSON.stringify(names) === JSON.stringify([...names].sort()), 'sorted')
  })
}

function registerWatch(t: Register): void {
  t('a watch sees each change in order, no duplicates, and the deletion', async (s, ns) => {
    const watchers = [s.store, ...(s.replica === undefined ? [] : [s.replica])]
    const recs = watchers.map((store) => record(store.observe(ns)))
    await s.store.create(ns, d('/v=>/0'))
    for (let i = 1; i <= 5; i++) {
      await s.store.update(ns, d(`/v=>/${i}`), await versionOf(s.store, ns))
      await new Promise((r) => setTimeout(r, 30))
    }
    await s.store.delete(ns)
    for (const rec of recs) {
      await eventually('the deletion', () => rec.seen.at(-1)?.type === 'absent')
      rec.stop()
      const found = rec.seen.filter((x) => x.type === 'found')
      const nums = found.map((x) => Number(textOf(x).split('/').at(-1)))
      assert(nums.length >= 2, `saw ${nums.length} versions`)
      assert(
        nums.every((n, i) => i === 0 || n > (nums[i - 1] as number)),
        `order ${nums.join(',')}`,
      )
      assert(nums.at(-1) === 5, `the last update ${nums.join(',')}`)
    }
  })
  t('a new observer gets the current value first', async ({ store }, ns) => {
    await store.create(ns, d('/a=>/b'))
    const obs = store.observe(ns)
    const rec = record(obs)
    await eventually('the current value', () => textOf(obs.get()) === '/a=>/b')
    rec.stop()
    assert(
      rec.seen.every((x) => x.type !== 'absent'),
      'never absent on the way',
    )
  })
  t('the namespace list is observable', async ({ store }, ns) => {
    const names = store.observeNames()
    const rec = record(names)
    await store.create(ns, d('/a=>/b'))
    await eventually('the new name', () => names.get()?.includes(ns) === true)
    await store.delete(ns)
    await eventually('the name gone', () => names.get()?.includes(ns) === false)
    rec.stop()
  })
}

function registerCas(t: Register): void {
  t('50 writers racing: exactly one winner per round, no lost update', async (s, ns) => {
    const stores = [s.store, ...(s.replica === undefined ? [] : [s.replica])]
    await s.store.create(ns, d('/round=>/0'))
    for (let round = 1; round <= 5; round++) {
      const version = await versionOf(s.store, ns)
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, w) =>
          (stores[w % stores.length] as DtabStore).update(ns, d(`/round=>/${round}/${w}`), version),
        ),
      )
      const winners = results.flatMap((r, w) => (r === 'ok' ? [w] : []))
      assert(winners.length === 1, `round ${round}: ${winners.length} winners`)
      assert(
        results.every((r) => r === 'ok' || r === 'version-mismatch'),
        `round ${round}: ${results}`,
      )
      const now = textOf(await s.store.get(ns))
      assert(now === `/round=>/${round}/${winners[0]}`, `round ${round}: stored ${now}`)
    }
    const history = await s.store.history(ns)
    assert(history.length === 6, `one history entry per winning write: ${history.length}`)
  })
}

function registerHistory(t: Register): void {
  t(
    'history: every change with its note and version, oldest first, across a delete',
    async (s, ns) => {
      const { store } = s
      const before = Date.now()
      await store.create(ns, d('/v=>/1'), { by: 'alice', message: 'first: 1 % → ünïcode' })
      const v1 = await versionOf(store, ns)
      assert((await store.update(ns, d('/v=>/x'), '!!stale')) === 'version-mismatch', 'stale')
      await store.update(ns, d('/v=>/2'), v1, { message: 'second' })
      const v2 = await versionOf(store, ns)
      await store.put(ns, d('/v=>/3'))
      const v3 = await versionOf(store, ns)
      await store.delete(ns, { by: 'bob' })
      await store.create(ns, d('/v=>/4'))
      const v4 = await versionOf(store, ns)
      const after = Date.now()
      const readers = [store, ...(s.replica === undefined ? [] : [s.replica])]
      for (const reader of readers) {
        const h = await reader.history(ns)
        const shown = h.map((e) => `${e.text ?? '<deleted>'}@${e.version}`).join(' ')
        const want = [`/v=>/1@${v1}`, `/v=>/2@${v2}`, `/v=>/3@${v3}`, `<deleted>@${v3}`]
        assert(shown === [...want, `/v=>/4@${v4}`].join(' '), `history ${shown}`)
        assert(h[0]?.by === 'alice' && h[0]?.message === 'first: 1 % → ünïcode', 'first note')
        assert(h[1]?.message === 'second' && h[1]?.by === undefined, 'second note')
        assert(h[2]?.message === undefined && h[3]?.by === 'bob', 'put and delete notes')
        assert(
          h.every((e) => e.at >= before && e.at <= after),
          'times of the writes',
        )
        assert(
          h.every((e, i) => i === 0 || e.rev > (h[i - 1]?.rev as bigint)),
          'in order',
        )
      }
    },
  )
  t('history: a namespace never written has none', async ({ store }, ns) => {
    assert((await store.history(ns)).length === 0, 'empty')
  })
  t(
    'history: only the newest historySize entries are kept',
    async ({ store }, ns) => {
      await store.create(ns, d('/v=>/0'))
      for (let i = 1; i <= 6; i++)
        await store.update(ns, d(`/v=>/${i}`), await versionOf(store, ns))
      const texts = async (): Promise<string> =>
        (await store.history(ns)).map((e) => e.text).join(' ')
      await eventually('trimmed to 3', async () => (await texts()) === '/v=>/4 /v=>/5 /v=>/6')
    },
    { historySize: 3 },
  )
}
