import { CodedError } from '../lib/errors.js'

const CONTEXT = 24

/**
 * A syntax error in a path, name tree, prefix or dtab. `offset` is the index (UTF-16 code
 * unit) of the offending character in the input, `line` and `column` count from 1, and the
 * message shows the character between brackets, as Finagle does:
 * `'=>' expected but '>' found at line 1, column 4: '/a= [>]/b'`.
 */
export class DtabParseError extends CodedError {
  readonly code = 'ERR_DTAB_PARSE'
  readonly line: number
  readonly column: number
  constructor(
    readonly input: string,
    readonly offset: number,
    readonly expected: string,
    readonly found: string,
  ) {
    const { line, column } = lineAndColumn(input, offset)
    super(
      `${expected} expected but ${found} found at line ${line}, column ${column}: '${excerpt(input, offset)}'`,
    )
    this.line = line
    this.column = column
  }
}

function lineAndColumn(input: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = input.indexOf('\n'); i !== -1 && i < offset; i = input.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

/** The input around `offset`, the offending character in brackets, one line, clipped. */
function excerpt(input: string, offset: number): string {
  const start = Math.max(0, offset - CONTEXT)
  const before = (start > 0 ? '…' : '') + input.slice(start, offset)
  const at = characterAt(input, offset)
  const end = Math.min(input.length, offset + at.length + CONTEXT)
  const after = input.slice(offset + at.length, end) + (end < input.length ? '…' : '')
  return printable(before) + '[' + printable(at) + ']' + printable(after)
}

/** The whole character at `offset` (both halves of a surrogate pair); '' past the end. */
export function characterAt(input: string, offset: number): string {
  const code = input.codePointAt(offset)
  return code === undefined ? '' : String.fromCodePoint(code)
}

/** Control characters shown as escapes so that the excerpt stays on one line. */
function printable(s: string): string {
  let out = ''
  for (const c of s) {
    const code = c.charCodeAt(0)
    if (c === '\n') out += '\\n'
    else if (c === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += c
  }
  return out
}

/** Binding or delegation went deeper than the limit (100), which means a dtab loop. */
export class MaxDepthError extends CodedError {
  readonly code = 'ERR_MAX_DEPTH'
  constructor(readonly limit: number) {
    super(`Max recursion level: ${limit} reached in Namer lookup (does the dtab loop?)`)
  }
}

/** A `/$/<name>` path whose system namer does not exist. */
export class UnknownNamerError extends CodedError {
  readonly code = 'ERR_UNKNOWN_NAMER'
  constructor(
    readonly namer: string,
    readonly path: string,
  ) {
    super(`Unknown namer: ${namer} for path: ${path}`)
  }
}

/**
 * A delegation explanation grew past its node budget: every alternative is followed eagerly,
 * so a dtab whose alternatives multiply at each level explodes. Binding (lazy) is unaffected.
 */
export class DelegationTooLargeError extends CodedError {
  readonly code = 'ERR_DELEGATION_TOO_LARGE'
  constructor(readonly limit: number) {
    super(
      `delegation explanation has more than ${limit} nodes (bindingNodeLimit; alternatives multiply at every level)`,
    )
  }
}

/**
 * A delegation still waited for a namer when its time ran out. Its code is the router's binding
 * timeout, so every server answers it as one.
 */
export class DelegationTimeoutError extends CodedError {
  readonly code = 'ERR_BINDING_TIMEOUT'
  constructor(path: string, ms: number) {
    super(`delegation of ${path} was still pending after ${ms} ms (a namer is not ready)`)
  }
}

/**
 * One bind took more work than its budget (`bindingNodeLimit`): lookups plus the written-out
 * size of the bound tree. A dtab whose unions split at every level doubles both per level.
 */
export class BindingTooLargeError extends CodedError {
  readonly code = 'ERR_BIND_TOO_LARGE'
  constructor(readonly limit: number) {
    super(
      `binding needs more than ${limit} nodes (bindingNodeLimit); does a union split at every level of the dtab?`,
    )
  }
}
