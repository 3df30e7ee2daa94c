import test from 'ava'
import type { IKeyValue } from 'etcd3'
import { decimalVersion } from '../version.js'
import { entryId, entryValue, MAX_ENTRY_BYTES, readEntry } from './history.js'

/** A key-value as etcd answers it, at mod revision `rev`. */
function kv(value: string | Buffer, rev = '42'): IKeyValue {
  return {
    key: Buffer.from('/p/~history/ns/x'),
    value: Buffer.from(value),
    create_revision: rev,
    mod_revision: rev,
    version: '1',
    lease: '0',
  }
}

test('a write: version and rev from the mod revision, the note as written', (t) => {
  const value = entryValue({ at: 1700000000123, by: 'alice', message: 'fix ✓' }, { text: '/a=>/b' })
  t.deepEqual(JSON.parse(value), {
    at: 1700000000123,
    by: 'alice',
    message: 'fix ✓',
    text: '/a=>/b',
  })
  t.deepEqual(readEntry(kv(value, '42')), {
    at: 1700000000123,
    by: 'alice',
    message: 'fix ✓',
    text: '/a=>/b',
    version: Buffer.from('42').toString('base64'),
    rev: 42n,
  })
})

test('a deletion: the version deleted, no text, no absent note fields', (t) => {
  const value = entryValue({ at: 5 }, { deleted: 17n })
  t.is(value, '{"at":5,"deleted":"17"}')
  const e = readEntry(kv(value, '20'))
  t.deepEqual(e, { at: 5, version: decimalVersion(17n), rev: 20n })
  t.false(e !== undefined && 'text' in e)
})

test('entries namerd did not write are refused, never thrown', (t) => {
  const bad = [
    '',
    'not json',
    '[1,2]',
    'null',
    '"text"',
    '{"text":"/a=>/b"}',
    '{"at":"1","text":"/a=>/b"}',
    '{"at":-1,"text":"/a=>/b"}',
    '{"at":1e999,"text":"/a=>/b"}',
    '{"at":1,"text":5}',
    '{"at":1,"text":"/a=>/b","by":7}',
    '{"at":1,"text":"/a=>/b","message":null}',
    '{"at":1,"text":"/a=>/b","deleted":"3"}',
    '{"at":1}',
    '{"at":1,"deleted":3}',
    '{"at":1,"deleted":"0"}',
    '{"at":1,"deleted":"-3"}',
    '{"at":1,"deleted":"99999999999999999999"}',
    '{"at":1,"deleted":"1e3"}',
  ]
  for (const value of bad) t.is(readEntry(kv(value)), undefined, value)
  const huge = entryValue({ at: 1 }, { text: 'x'.repeat(MAX_ENTRY_BYTES) })
  t.is(readEntry(kv(huge)), undefined, 'larger than any entry namerd writes')
  t.is(readEntry(kv(Buffer.from([0xff, 0xfe, 0x7b]))), undefined, 'not UTF-8')
})

test('ids: unique, and sorting by the note time for people reading the keys', (t) => {
  const ids = [1, 1, 20, 1700000000123].map((at) => entryId({ at }))
  t.is(new Set(ids).size, 4)
  t.deepEqual([...ids].sort().slice(2), ids.slice(2))
  t.regex(ids[0] ?? '', /^000000000000001-[0-9a-f]{12}$/)
  t.regex(entryId({ at: Number.NaN }), /^0{15}-/, 'a bad clock is still a valid key')
})
