// A syntax error at a character outside the BMP (an emoji, typed into namerd's editor or the
// playground): the message must show that character, never half of it (issue 18's attack).
import test from 'ava'
import { DtabParseError } from './errors.js'
import { readDtab } from './parse.js'

function errorOf(text: string): DtabParseError {
  try {
    readDtab(text)
  } catch (e) {
    if (e instanceof DtabParseError) return e
    throw e
  }
  throw new Error(`${text} parsed`)
}

/** No lone surrogate (encodeURIComponent refuses one). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s)
    return true
  } catch {
    return false
  }
}

test('an error at an astral character shows the whole character, not a lone surrogate', (t) => {
  for (const text of ['/svc/😀 => /x', '/a => /b;\n/😀x => /c', '/a => 😀']) {
    const e = errorOf(text)
    t.true(wellFormed(e.message), `${JSON.stringify(text)}: ${JSON.stringify(e.message)}`)
    t.true(e.message.includes("'😀' found"), e.message)
    t.true(e.message.includes('[😀]'), e.message)
  }
})

test('the offset is where the character starts (the page marks it from there)', (t) => {
  const text = '/a => /b;\n/😀x => /c'
  const e = errorOf(text)
  t.is(text.codePointAt(e.offset), 0x1f600)
  t.is(e.line, 2)
})
