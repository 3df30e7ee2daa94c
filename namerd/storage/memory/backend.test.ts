import test from 'ava'
import { readDtab, showDtab } from '../../../dtabs/index.js'
import { storeConformance } from '../../../testing/namerd/storage-conformance.js'
import { DtabStore } from '../dtab-store.js'
import { MemoryBackend } from './backend.js'

storeConformance(test, 'io.l5d.inMemory', async ({ historySize }) => ({
  store: new DtabStore(new MemoryBackend(new Map(), historySize)),
}))

test('preloaded namespaces are there at version 1, as linkerd numbers them', async (t) => {
  const store = new DtabStore(new MemoryBackend(new Map([['default', '/svc=>/#/io.l5d.fs']])))
  const got = await store.get('default')
  t.is(got.type, 'found')
  if (got.type !== 'found') return
  t.is(showDtab(got.dtab), '/svc=>/#/io.l5d.fs')
  t.is(got.version, 'AAAAAAAAAAE=')
  t.is(await store.update('default', readDtab('/a=>/b'), 'AAAAAAAAAAE='), 'ok')
  const next = await store.get('default')
  t.is(next.type === 'found' ? next.version : '', 'AAAAAAAAAAI=')
})
