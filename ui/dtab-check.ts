/**
 * A dtab checked as it is typed, by the same parser the router and namerd use (dtabs/ runs in
 * the browser: it is pure), and the error shown at its character.
 */
import { characterAt, DtabParseError } from '../dtabs/errors.js'
import { readDtab } from '../dtabs/parse.js'
import { h } from './dom.js'

/** A syntax error's message and where it is. */
export interface DtabProblem {
  readonly message: string
  readonly offset: number
  readonly line: number
  readonly column: number
}

/** The first syntax error of `text` as a dtab, or undefined when it parses. */
export function dtabProblem(text: string): DtabProblem | undefined {
  try {
    readDtab(text)
    return undefined
  } catch (e) {
    if (!(e instanceof DtabParseError)) return { message: String(e), offset: 0, line: 1, column: 1 }
    return { message: e.message, offset: e.offset, line: e.line, column: e.column }
  }
}

/**
 * The error under the editor: its message, then its line with the offending character marked
 * (`.error-at`, `data-offset`); nothing when there is no error.
 */
export function problemView(text: string, p: DtabProblem | undefined): HTMLElement | null {
  if (p === undefined) return null
  const start = text.lastIndexOf('\n', p.offset - 1) + 1
  const endAt = text.indexOf('\n', p.offset)
  const end = endAt === -1 ? text.length : endAt
  const at = characterAt(text, p.offset)
  return h(
    'div',
    {
      class: 'problem bad',
      role: 'alert',
      'data-line': p.line,
      'data-column': p.column,
      'data-offset': p.offset,
    },
    h('div', null, p.message),
    h(
      'pre',
      { class: 'excerpt' },
      text.slice(start, p.offset),
      h('span', { class: 'error-at' }, at === '' ? '␄' : at),
      text.slice(p.offset + at.length, end),
    ),
  )
}
