/**
 * The dtab language parser: paths, dentry prefixes, name trees, dentries and dtabs, with
 * exactly Finagle's grammar (`NameTreeParsers`):
 *
 *   path     := WS '/' [ label ( '/' label )* ]
 *   label    := ( showable | '\x' HEX HEX )+           showable = [0-9A-Za-z_:.#$%-]
 *   prefix   := WS '/' [ pelem ( '/' pelem )* ]         pelem = '*' | label
 *   tree     := tree1 ( WS '|' tree1 )*                 n > 1 gives an Alt
 *   tree1    := weighted ( WS '&' weighted )*           n > 1 gives a Union
 *   weighted := WS [ number WS '*' WS ] simple          number = ( digit | '.' )+, one '.' at most
 *   simple   := WS ( '(' tree WS ')' | path | '!' | '~' | '$' )
 *   dentry   := prefix WS '=>' tree                     no space inside '=>'
 *   dtab     := WS [ dentry WS ] ( ';' WS [ dentry WS ] )*
 *
 * WS is Java's `Character.isWhitespace` plus `#` comments running to the end of the line; it
 * is skipped only where shown. Every entry point parses the whole input (trailing WS allowed)
 * and throws `DtabParseError`, and nothing else, on bad input. Recursion is bounded by
 * `MAX_NESTING` parentheses, never by the input's length.
 */
import { EMPTY, FAIL, NEG, type NameTree, type Weighted } from './name-tree.js'
import { WILDCARD, type Dentry, type Dtab, type Prefix, type PrefixElem } from './dtab.js'
import { characterAt, DtabParseError } from './errors.js'
import { isShowable, type Path } from './path.js'

/** Deepest parenthesis nesting accepted; deeper input is a syntax error, not a stack overflow. */
export const MAX_NESTING = 1000

/** Parses a whole input as a path (`Path.read`). */
export function readPath(input: string): Path {
  return new Parser(input).whole((p) => p.path())
}

/** Parses a whole input as a name tree of paths (`NameTree.read`). */
export function readNameTree(input: string): NameTree<Path> {
  return new Parser(input).whole((p) => p.tree())
}

/** Parses a whole input as a dentry prefix (`/a/*` style). */
export function readPrefix(input: string): Prefix {
  return new Parser(input).whole((p) => p.prefix())
}

/** Parses a whole input as one dentry (`Dentry.read`). */
export function readDentry(input: string): Dentry {
  return new Parser(input).whole((p) => p.dentry())
}

/** Parses a whole input as a dtab (`Dtab.read`); `""` and comments alone are the empty dtab. */
export function readDtab(input: string): Dtab {
  return new Parser(input).whole((p) => p.dtab())
}

const SLASH = 0x2f
const BACKSLASH = 0x5c
const HASH = 0x23
const DOT = 0x2e
const STAR = 0x2a

/** Java `Character.isWhitespace` for one UTF-16 code unit. */
export function isJavaWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)
  if (c < 0x1680) return false
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a && c !== 0x2007) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x205f ||
    c === 0x3000
  )
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

class Parser {
  private pos = 0
  private depth = 0
  constructor(private readonly input: string) {}

  whole<T>(parse: (p: Parser) => T): T {
    const result = parse(this)
    this.skipWhitespace()
    if (this.pos < this.input.length) this.fail('end of input')
    return result
  }

  private peek(): number {
    return this.pos < this.input.length ? this.input.charCodeAt(this.pos) : -1
  }

  private fail(expected: string): never {
    const found =
      this.pos < this.input.length ? `'${characterAt(this.input, this.pos)}'` : 'end of input'
    throw new DtabParseError(this.input, this.pos, expected, found)
  }

  private eat(c: number): void {
    if (this.peek() !== c) this.fail(`'${String.fromCharCode(c)}'`)
    this.pos++
  }

  /** Skips whitespace and comments, then eats `c` if it is next. */
  private maybeEat(c: number): boolean {
    this.skipWhitespace()
    if (this.peek() !== c) return false
    this.pos++
    return true
  }

  private skipWhitespace(): void {
    const s = this.input
    for (;;) {
      const c = this.peek()
      if (c === HASH) {
        const nl = s.indexOf('\n', this.pos)
        this.pos = nl === -1 ? s.length : nl + 1
      } else if (c !== -1 && isJavaWhitespace(c)) {
        this.pos++
      } else {
        return
      }
    }
  }

  private atLabel(): boolean {
    const c = this.peek()
    return c === BACKSLASH || (c !== -1 && isShowable(c))
  }

  /** One label: showable characters and `\xHH` escapes, at least one. */
  private label(): string {
    if (!this.atLabel()) this.fail('label')
    const s = this.input
    let out = ''
    let runStart = this.pos
    for (;;) {
      const c = this.peek()
      if (c === BACKSLASH) {
        out += s.slice(runStart, this.pos) + this.escape()
        runStart = this.pos
      } else if (c !== -1 && isShowable(c)) {
        this.pos++
      } else {
        return out + s.slice(runStart, this.pos)
      }
    }
  }

  /** `\xHH` (lower-case `x`, two hex digits of either case): one byte. */
  private escape(): string {
    this.pos++
    this.eat(0x78)
    const hi = hexValue(this.peek())
    if (hi < 0) this.fail('hex digit')
    this.pos++
    const lo = hexValue(this.peek())
    if (lo < 0) this.fail('hex digit')
    this.pos++
    return String.fromCharCode(hi * 16 + lo)
  }

  path(): Path {
    this.skipWhitespace()
    this.eat(SLASH)
    if (!this.atLabel()) return []
    const elems = [this.label()]
    while (this.peek() === SLASH) {
      this.pos++
      elems.push(this.label())
    }
    return elems
  }

  prefix(): Prefix {
    this.skipWhitespace()
    this.eat(SLASH)
    if (!this.atLabel() && this.peek() !== STAR) return []
    const elems: PrefixElem[] = [this.prefixElem()]
    while (this.peek() === SLASH) {
      this.pos++
      elems.push(this.prefixElem())
    }
    return elems
  }

  private prefixElem(): PrefixElem {
    if (this.peek() !== STAR) return this.label()
    this.pos++
    return WILDCARD
  }

  tree(): NameTree<Path> {
    const first = this.tree1()
    if (!this.maybeEat(0x7c)) return first
    const trees = [first, this.tree1()]
    while (this.maybeEat(0x7c)) trees.push(this.tree1())
    // Not alt(...trees): spreading a huge list as arguments overflows the stack.
    return { type: 'alt', trees }
  }

  private tree1(): NameTree<Path> {
    const first = this.weighted()
    if (!this.maybeEat(0x26)) return first.tree
    const members: Weighted<Path>[] = [first, this.weighted()]
    while (this.maybeEat(0x26)) members.push(this.weighted())
    return { type: 'union', trees: members }
  }

  private weighted(): Weighted<Path> {
    this.skipWhitespace()
    const c = this.peek()
    if (!isDigit(c) && c !== DOT) return { weight: 1, tree: this.simple() }
    const weight = this.number()
    this.skipWhitespace()
    this.eat(STAR)
    return { weight, tree: this.simple() }
  }

  private number(): number {
    const start = this.pos
    let dots = 0
    for (let c = this.peek(); isDigit(c) || c === DOT; c = this.peek()) {
      if (c === DOT && ++dots > 1) this.fail('digit')
      this.pos++
    }
    if (this.pos - start === 1 && dots === 1) this.fail('digit')
    return Number(this.input.slice(start, this.pos))
  }

  private simple(): NameTree<Path> {
    this.skipWhitespace()
    switch (this.peek()) {
      case 0x28:
        return this.parenthesised()
      case SLASH:
        return { type: 'leaf', value: this.path() }
      case 0x21:
        this.pos++
        return FAIL
      case 0x7e:
        this.pos++
        return NEG
      case 0x24:
        this.pos++
        return EMPTY
      default:
        return this.fail("'(', '/', '!', '~' or '$'")
    }
  }

  private parenthesised(): NameTree<Path> {
    if (this.depth >= MAX_NESTING) this.fail(`at most ${MAX_NESTING} nested parentheses, not '('`)
    this.pos++
    this.depth++
    const t = this.tree()
    this.skipWhitespace()
    this.eat(0x29)
    this.depth--
    return t
  }

  dentry(): Dentry {
    const prefix = this.prefix()
    this.skipWhitespace()
    this.eat(0x3d)
    this.eat(0x3e)
    return { prefix, dst: this.tree() }
  }

  dtab(): Dtab {
    const dentries: Dentry[] = []
    do {
      this.skipWhitespace()
      if (this.pos < this.input.length) {
        dentries.push(this.dentry())
        this.skipWhitespace()
      }
    } while (this.maybeEat(0x3b))
    return dentries
  }
}
