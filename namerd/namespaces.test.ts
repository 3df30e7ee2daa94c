import test from 'ava'
import { readDtab, type ActState, type NameTree, type BoundLeaf } from '../dtabs/index.js'
import { globalNamer } from '../namers/global.js'
import { Namespaces } from './namespaces.js'
import { DtabStore } from './storage/dtab-store.js'
import { MemoryBackend } from './storage/memory/backend.js'

const namers = [{ prefix: ['$'], namer: globalNamer() }]

test('interpreters are kept for a bounded number of namespaces', (t) => {
  const store = new DtabStore(new MemoryBackend())
  const spaces = new Namespaces(store, namers, { maxNamespaces: 3 })
  const first = spaces.interpreter('a')
  t.is(spaces.interpreter('a'), first, 'cached')
  for (const ns of ['b', 'c', 'd']) spaces.interpreter(ns)
  t.not(spaces.interpreter('a'), first, 'the least recently used one was dropped')
  spaces.close()
})

test('a binding follows its namespace as the dtab is created, changed and deleted', async (t) => {
  const store = new DtabStore(new MemoryBackend())
  const spaces = new Namespaces(store, namers)
  const b = spaces.interpreter('ns').bind([], ['svc'])
  const seen: string[] = []
  const show = (s: ActState<NameTree<BoundLeaf>>): string =>
    s.type === 'ok'
      ? s.value.type === 'leaf'
        ? s.value.value.bound.id.join('/')
        : s.value.type
      : s.type
  const stop = b.subscribe((s) => seen.push(show(s)))
  await store.create('ns', readDtab('/svc=>/$/inet/127.0.0.1/1'))
  await new Promise((r) => setTimeout(r, 20))
  await store.put('ns', readDtab('/svc=>/$/inet/127.0.0.1/2'))
  await new Promise((r) => setTimeout(r, 20))
  await store.delete('ns')
  await new Promise((r) => setTimeout(r, 20))
  stop()
  t.deepEqual(seen, ['neg', '$/inet/127.0.0.1/1', '$/inet/127.0.0.1/2', 'neg'])
  spaces.close()
})
