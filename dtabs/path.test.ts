import test from 'ava'
import { elemFromText, elemToText } from './path.js'

// The core runs in browsers too, so it encodes with TextEncoder; Node's Buffer is the reference.
const TEXTS = [
  'users',
  '',
  'é',
  'ünïcødé/π',
  '日本語',
  '😀 emoji',
  '\ud800 lone',
  'tail \udc00',
  '\u0000\u007f\u0080',
]

test('elemFromText encodes as UTF-8 bytes, as Buffer does (lone surrogates as U+FFFD)', (t) => {
  for (const text of TEXTS)
    t.is(elemFromText(text), Buffer.from(text, 'utf8').toString('latin1'), text)
})

test('elemToText decodes UTF-8, bytes that are not UTF-8 as U+FFFD, as Buffer does', (t) => {
  const elems = [...TEXTS.map(elemFromText), '\xff\xfe', 'a\xc3', '\xe6\x97', '\xc3\xa9\x80']
  for (const elem of elems)
    t.is(elemToText(elem), Buffer.from(elem, 'latin1').toString('utf8'), elem)
})
