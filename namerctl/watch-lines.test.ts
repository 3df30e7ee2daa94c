import test from 'ava'
import { parseWatchLine, splitLines } from './watch-lines.js'

test('lines split across chunks are joined; the unfinished rest is kept; CRLF is accepted', (t) => {
  const chunks = ['{"a":', '1}\n\n{"b"', ':2}\r\n{"c"']
  let rest = ''
  const lines: string[] = []
  for (const chunk of chunks) {
    const split = splitLines(rest, chunk)
    lines.push(...split.lines)
    rest = split.rest
  }
  t.deepEqual(lines, ['{"a":1}', '', '{"b":2}'])
  t.is(rest, '{"c"')
})

test('blank lines are heartbeats; {"version","dtab"} is a document', (t) => {
  t.deepEqual(parseWatchLine(''), { type: 'heartbeat' })
  t.deepEqual(parseWatchLine('   '), { type: 'heartbeat' })
  t.deepEqual(parseWatchLine('{"version":"v1","dtab":[{"prefix":"/a","dst":"/b"}]}'), {
    type: 'dtab',
    doc: { version: 'v1', dtab: [{ prefix: '/a', dst: '/b' }] },
  })
})

test('namerd error lines and anything else are errors to print (the watch goes on)', (t) => {
  const err = parseWatchLine('{"error":{"code":"ERR_STORE_UNAVAILABLE","message":"etcd is down"}}')
  t.deepEqual(err, { type: 'error', message: 'etcd is down (ERR_STORE_UNAVAILABLE)' })
  for (const line of [
    'nonsense',
    '[1,2]',
    '{"version":1,"dtab":[]}',
    '{"version":"v","dtab":[{"prefix":1}]}',
  ])
    t.is(parseWatchLine(line).type, 'error', line)
})
