import test from 'ava'
import { describeError, readWatchDoc } from './watch-doc.js'

/** A line as the shared client hands it over: parsed, and as is. */
const read = (line: string) => readWatchDoc(JSON.parse(line) as unknown, line)

test('{"version","dtab"} is a document', (t) => {
  t.deepEqual(read('{"version":"v1","dtab":[{"prefix":"/a","dst":"/b"}]}'), {
    type: 'dtab',
    doc: { version: 'v1', dtab: [{ prefix: '/a', dst: '/b' }] },
  })
})

test("namerd's error lines and anything else are errors to print (the watch goes on)", (t) => {
  const e = { code: 'ERR_STORE_UNAVAILABLE', message: 'etcd is down' }
  t.is(describeError(e), 'etcd is down (ERR_STORE_UNAVAILABLE)')
  t.deepEqual(read('{"error":{"message":"etcd is down"},"at":1}'), {
    type: 'error',
    message: 'etcd is down',
  })
  t.deepEqual(read('{"error":"boom"}'), { type: 'error', message: 'namerd: boom' })
  for (const line of [
    '"nonsense"',
    '[1,2]',
    '{"version":1,"dtab":[]}',
    '{"version":"v","dtab":[{"prefix":1}]}',
  ]) {
    const got = read(line)
    t.is(got.type, 'error', line)
    if (got.type === 'error') t.true(got.message.length > 0, line)
  }
})
