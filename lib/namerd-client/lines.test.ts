import test from 'ava'
import { LineSplitter } from './lines.js'

/** The lines of `bytes` pushed in pieces cut at `cuts`; an overflow throws. */
function split(bytes: Buffer, cuts: readonly number[], max = 1024): string[] {
  const s = new LineSplitter(max)
  const lines: string[] = []
  let from = 0
  for (const to of [...cuts, bytes.length]) {
    const got = s.push(bytes.subarray(from, to))
    if (got.overflow) throw new Error('overflow')
    lines.push(...got.lines)
    from = to
  }
  return lines
}

const text = '[1]\n\n{"name":"é ü €"}\r\n{"error":{"code":"ERR_X","message":"m"}}\n\n[2]\n'
const expected = [
  '[1]',
  '',
  '{"name":"é ü €"}',
  '{"error":{"code":"ERR_X","message":"m"}}',
  '',
  '[2]',
]

test('every cut into two chunks gives the same lines, multi-byte characters included', (t) => {
  const bytes = Buffer.from(text)
  for (let cut = 0; cut <= bytes.length; cut++)
    t.deepEqual(split(bytes, [cut]), expected, `cut ${cut}`)
})

test('one byte at a time and odd-sized chunks give the same lines', (t) => {
  const bytes = Buffer.from(text)
  const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)
  t.deepEqual(split(bytes, everyByte), expected)
  t.deepEqual(split(bytes, [3, 4, 9, 10, 11, 30, 31, 58]), expected)
})

test('an unfinished line waits for its newline', (t) => {
  const s = new LineSplitter(100)
  t.deepEqual(s.push(Buffer.from('[1]\n[2')), { lines: ['[1]'], overflow: false })
  t.is(s.pendingBytes, 2)
  t.deepEqual(s.push(Buffer.from('3]')), { lines: [], overflow: false })
  t.deepEqual(s.push(Buffer.from('\n')), { lines: ['[23]'], overflow: false })
  t.is(s.pendingBytes, 0)
})

test('a line of maxLineBytes passes; one byte more overflows, in one chunk or many', (t) => {
  t.deepEqual(new LineSplitter(4).push(Buffer.from('abcd\nx')), {
    lines: ['abcd'],
    overflow: false,
  })
  t.deepEqual(new LineSplitter(4).push(Buffer.from('[1]\nabcde\n')), {
    lines: ['[1]'],
    overflow: true,
  })
  t.true(new LineSplitter(4).push(Buffer.from('abcde')).overflow)
  const s = new LineSplitter(4)
  t.false(s.push(Buffer.from('ab')).overflow)
  t.false(s.push(Buffer.from('cd')).overflow)
  t.true(s.push(Buffer.from('e')).overflow)
  const across = new LineSplitter(4)
  t.false(across.push(Buffer.from('abc')).overflow)
  t.true(across.push(Buffer.from('de\n')).overflow)
})
