// Section numbers (§) are those of docs/dtab-semantics.md.
import test, { type ExecutionContext } from 'ava'
import { once } from 'node:events'
import { isDeepStrictEqual } from 'node:util'
import { Worker } from 'node:worker_threads'
import {
  showDentry,
  showDtab,
  showPrefix,
  WILDCARD,
  type Dentry,
  type Dtab,
  type Prefix,
} from './dtab.js'
import { evaluate, simplify, type Evaluated, type NameTree } from './name-tree.js'
import { MAX_NESTING, readDentry, readDtab, readNameTree, readPath, readPrefix } from './parse.js'
import { showPath, type Path } from './path.js'
import { showPathTree } from './show.js'
import {
  makeRng,
  mutate,
  noisyDtab,
  noisyPath,
  noisyPrefix,
  noisyTree,
  noisyWhitespace,
  randomDtab,
  randomJunk,
  randomPath,
  randomPrefix,
  randomTree,
  weightAny,
  type Rng,
  type TreeOptions,
} from '../testing/random.js'

const SEEDS = [1, 42, 0xdecade, 20_241_023]
const TWO_DECIMALS: TreeOptions = { depth: 4 }
const ANY_WEIGHTS: TreeOptions = { depth: 4, weight: weightAny }

/**
 * Runs `problem` on `count` generated values per seed and fails with the first few problems
 * (a problem is any value other than `undefined`).
 */
function forAll<T>(
  t: ExecutionContext,
  count: number,
  generate: (r: Rng) => T,
  problem: (value: T) => unknown,
): void {
  const problems: unknown[] = []
  for (const seed of SEEDS) {
    const r = makeRng(seed)
    for (let i = 0; i < count && problems.length < 3; i++) {
      const p = problem(generate(r))
      if (p !== undefined) problems.push({ seed, i, ...(p as object) })
    }
  }
  t.deepEqual(problems, [])
}

function sameAs(actual: unknown, expected: unknown, text: string): unknown {
  return isDeepStrictEqual(actual, expected) ? undefined : { text, actual, expected }
}

// paths and prefixes

test('readPath(showPath(p)) is p', (t) => {
  forAll(t, 1500, randomPath, (p) => sameAs(readPath(showPath(p)), p, showPath(p)))
})

test('readPath reads escaped, mixed-case and space-padded texts of p as p', (t) => {
  forAll(
    t,
    500,
    (r) => {
      const p = randomPath(r)
      return { p, text: noisyWhitespace(r) + noisyPath(r, p) + noisyWhitespace(r) }
    },
    ({ p, text }) => sameAs(readPath(text), p, text),
  )
})

test('readPrefix(showPrefix(p)) is p, wildcards and `\\x2a` labels kept apart', (t) => {
  forAll(t, 1000, randomPrefix, (p) => sameAs(readPrefix(showPrefix(p)), p, showPrefix(p)))
  forAll(
    t,
    300,
    (r) => {
      const p = randomPrefix(r)
      return { p, text: noisyWhitespace(r) + noisyPrefix(r, p) + noisyWhitespace(r) }
    },
    ({ p, text }) => sameAs(readPrefix(text), p, text),
  )
})

// trees

test('readNameTree(showPathTree(t)) is t (two-decimal weights, no single-child nodes)', (t) => {
  forAll(
    t,
    250,
    (r) => randomTree(r, TWO_DECIMALS),
    (tree) => sameAs(readNameTree(showPathTree(tree)), tree, showPathTree(tree)),
  )
})

test('readNameTree reads noisy texts of t (comments, parens, lone weights) as t', (t) => {
  forAll(
    t,
    250,
    (r) => {
      const tree = randomTree(r, TWO_DECIMALS)
      return { tree, text: noisyTree(r, tree) + noisyWhitespace(r) }
    },
    ({ tree, text }) => sameAs(readNameTree(text), tree, text),
  )
})

// dentries and dtabs

test('readDtab(showDtab(d)) is d and readDentry(showDentry(e)) is e', (t) => {
  forAll(
    t,
    150,
    (r) => randomDtab(r, TWO_DECIMALS),
    (d) => sameAs(readDtab(showDtab(d)), d, showDtab(d)),
  )
  forAll(
    t,
    200,
    (r) => randomDtab(r, TWO_DECIMALS, 1)[0],
    (e) => (e === undefined ? undefined : sameAs(readDentry(showDentry(e)), e, showDentry(e))),
  )
})

test('readDtab reads noisy texts of d (whitespace, comments, trailing `;`) as d', (t) => {
  forAll(
    t,
    150,
    (r) => {
      const d = randomDtab(r, TWO_DECIMALS)
      return { d, text: noisyDtab(r, d) }
    },
    ({ d, text }) => sameAs(readDtab(text), d, text),
  )
})

// show is a normalisation

function sameText(actual: string, expected: string, input: string): unknown {
  return actual === expected ? undefined : { input, actual, expected }
}

test('show(read(show(x))) is show(x) for trees and dtabs with arbitrary weights', (t) => {
  forAll(
    t,
    250,
    (r) => randomTree(r, ANY_WEIGHTS),
    (tree) => {
      const s = showPathTree(tree)
      return sameText(showPathTree(readNameTree(s)), s, s)
    },
  )
  forAll(
    t,
    100,
    (r) => randomDtab(r, ANY_WEIGHTS),
    (d) => {
      const s = showDtab(d)
      return sameText(showDtab(readDtab(s)), s, s)
    },
  )
})

test('show(read(text)) is a fixed point of show∘read for noisy texts', (t) => {
  forAll(
    t,
    120,
    (r) => noisyDtab(r, randomDtab(r, TWO_DECIMALS)),
    (text) => {
      const s = showDtab(readDtab(text))
      return sameText(showDtab(readDtab(s)), s, text)
    },
  )
  forAll(
    t,
    200,
    (r) => noisyWhitespace(r) + noisyPath(r, randomPath(r)),
    (text) => {
      const s = showPath(readPath(text))
      return sameText(showPath(readPath(s)), s, text)
    },
  )
})

test('show∘read is not idempotent on weights that print as 1.00 (§3.3)', (t) => {
  // 0.996 prints as `1.00*` (it is not exactly 1.0); `1.00` then reads as 1.0, which is omitted.
  const once = showPathTree(readNameTree('0.996*/a & /b'))
  t.is(once, '1.00*/a & /b')
  t.is(showPathTree(readNameTree(once)), '/a & /b')
})

// simplify and evaluate

const WITH_SINGLES: TreeOptions = { depth: 5, singles: true, pathLen: 1 }

function evaluated(tree: NameTree<Path>): unknown {
  const e: Evaluated<Path> = evaluate(tree)
  return e.type === 'set' ? [...e.values].map(showPath).sort() : e.type
}

test('simplify is idempotent', (t) => {
  forAll(
    t,
    1000,
    (r) => randomTree(r, WITH_SINGLES),
    (tree) => {
      const once = simplify(tree)
      return sameAs(simplify(once), once, showPathTree(tree))
    },
  )
})

test('evaluate(t) equals evaluate(simplify(t))', (t) => {
  forAll(
    t,
    1000,
    (r) => randomTree(r, WITH_SINGLES),
    (tree) => sameAs(evaluated(simplify(tree)), evaluated(tree), showPathTree(tree)),
  )
})

test('simplify and evaluate on the spec and Finagle tables (§3.4, §3.5)', (t) => {
  const simplified: [string, string][] = [
    ['! & !', '~'],
    ['/a | ! | /b', '/a | !'],
    ['~ | (~ & !) | /q', '/q'],
    ['(! | /p) & /q', '/q'],
    ['! & ~ & $', '$'],
    ['(/a | /b) | /c', '(/a | /b) | /c'],
    ['/a & /a', '/a & /a'],
    ['2*/a & 3*~ & 0.5*/b', '2.00*/a & 0.50*/b'],
    ['2*/a & 3*~', '/a'],
  ]
  for (const [text, expected] of simplified) {
    t.is(showPathTree(simplify(readNameTree(text))), expected, text)
  }
  const evals: [string, unknown][] = [
    ['~', 'neg'],
    ['/ok', ['/ok']],
    ['/ok & /ok1', ['/ok', '/ok1']],
    ['/ok & ~ & /blah & $', ['/blah', '/ok']],
    ['$ & $ & $', []],
    ['~ & ~ & (~ | ~)', 'neg'],
    ['~ | /foo | /bar', ['/foo']],
    ['~ | $ | /blah', []],
    ['~ | (~ | $) | /blah', []],
    ['(~|$|/foo) & (/bar|/blah) & ~ & /FOO', ['/FOO', '/bar']],
    ['! | /ok', 'fail'],
    ['/ok & !', ['/ok']],
    ['! & ! & !', 'neg'],
    ['~ | /ok | !', ['/ok']],
  ]
  for (const [text, expected] of evals) {
    const tree = readNameTree(text)
    t.deepEqual(evaluated(tree), expected, text)
    t.deepEqual(evaluated(simplify(tree)), expected, `simplified ${text}`)
  }
})

// the parser throws nothing but DtabParseError

const READERS: Record<string, (input: string) => unknown> = {
  readPath,
  readNameTree,
  readDtab,
  readPrefix,
  readDentry,
}

interface ParseErrorLike {
  code?: unknown
  offset?: unknown
  line?: unknown
  column?: unknown
}

/** What is wrong with `e` as the error of reading `input`, or undefined if nothing. */
function badError(input: string, e: unknown): string | undefined {
  if (!(e instanceof Error)) return `threw a non-Error: ${String(e)}`
  const { code, offset, line, column } = e as ParseErrorLike
  if (code !== 'ERR_DTAB_PARSE') return `threw ${e.name} (${String(code)}): ${e.message}`
  if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) > input.length) {
    return `offset ${String(offset)} outside [0, ${input.length}]`
  }
  const before = input.slice(0, offset as number)
  const wantLine = before.split('\n').length
  const wantColumn = before.length - before.lastIndexOf('\n')
  if (line !== wantLine || column !== wantColumn) {
    return `line/column ${String(line)}:${String(column)}, expected ${wantLine}:${wantColumn}`
  }
  return undefined
}

function fuzzProblem(input: string): unknown {
  for (const [name, read] of Object.entries(READERS)) {
    let result: unknown
    try {
      result = read(input)
    } catch (e) {
      const bad = badError(input, e)
      if (bad !== undefined) return { reader: name, input, bad }
      continue
    }
    if (name === 'readPath' && !isDeepStrictEqual(readPath(showPath(result as Path)), result)) {
      return { reader: name, input, bad: 'readPath(showPath(p)) is not p' }
    }
    if (name === 'readDtab') showDtab(result as Dtab)
    if (name === 'readPrefix') showPrefix(result as Prefix)
    if (name === 'readDentry') showDentry(result as Dentry)
  }
  return undefined
}

/** Valid texts of every grammar, canonical and noisy, for the mutator to spoil. */
function validTexts(seed: number): string[] {
  const r = makeRng(seed)
  const texts: string[] = []
  for (let i = 0; i < 300; i++) {
    const d = randomDtab(r, { depth: 3 }, 4)
    const tree = randomTree(r, { depth: 3 })
    const p = randomPath(r)
    texts.push(showDtab(d), noisyDtab(r, d), showPathTree(tree), noisyTree(r, tree))
    texts.push(showPath(p), noisyPath(r, p), showPrefix(randomPrefix(r)))
  }
  return texts
}

const FUZZ_PER_TEST = 25_000

function fuzz(t: ExecutionContext, seed: number, input: (r: Rng, valid: string[]) => string) {
  const r = makeRng(seed)
  const valid = validTexts(seed)
  const problems: unknown[] = []
  // Half a million stack traces nobody reads would dominate the run time.
  const stackTraceLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    for (let i = 0; i < FUZZ_PER_TEST && problems.length < 3; i++) {
      const p = fuzzProblem(input(r, valid))
      if (p !== undefined) problems.push(p)
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit
  }
  t.deepEqual(problems, [])
}

test('fuzz: random strings give values or DtabParseError', (t) => {
  fuzz(t, 101, (r) => randomJunk(r, 60))
})

test('fuzz: mutated dtab, tree and path texts give values or DtabParseError', (t) => {
  fuzz(t, 202, (r, valid) => mutate(r, r.pick(valid)))
})

test('fuzz: heavily mutated and spliced texts give values or DtabParseError', (t) => {
  fuzz(t, 303, (r, valid) => mutate(r, mutate(r, r.pick(valid) + r.pick(valid))))
})

test('fuzz: valid texts with junk inserted give values or DtabParseError', (t) => {
  fuzz(t, 404, (r, valid) => {
    const text = r.pick(valid)
    const at = r.int(text.length + 1)
    return text.slice(0, at) + randomJunk(r, 8) + text.slice(at)
  })
})

// megabyte inputs: no stack overflow, in parsing or in showing

const MB = 1 << 20

function repeatTo(unit: string, size: number): { text: string; count: number } {
  const count = Math.ceil(size / unit.length)
  return { text: unit.repeat(count), count }
}

test('a 1 MB dtab of many dentries parses and shows', (t) => {
  const { text, count } = repeatTo('/svc/a=>/b;', MB)
  const dtab = readDtab(text)
  t.is(dtab.length, count)
  t.deepEqual(dtab[count - 1], { prefix: ['svc', 'a'], dst: { type: 'leaf', value: ['b'] } })
  t.true(showDtab(dtab) === text.slice(0, -1), 'showDtab gives the text without its last `;`')
})

test('a 1 MB alternation and a 1 MB union parse and show', (t) => {
  const alt = repeatTo('/a | ', MB)
  const altText = alt.text + '/a'
  const a = readNameTree(altText)
  t.is(a.type === 'alt' ? a.trees.length : -1, alt.count + 1)
  t.true(showPathTree(a) === altText)

  const union = repeatTo('0.50*/a & ', MB)
  const unionText = union.text + '/b'
  const u = readNameTree(unionText)
  t.is(u.type === 'union' ? u.trees.length : -1, union.count + 1)
  t.deepEqual(u.type === 'union' ? u.trees[0] : u, { weight: 0.5, tree: leafOf('a') })
  t.deepEqual(u.type === 'union' ? u.trees[union.count] : u, { weight: 1, tree: leafOf('b') })
  t.true(showPathTree(u) === unionText)
})

function leafOf(...elems: string[]): NameTree<Path> {
  return { type: 'leaf', value: elems }
}

test('a 1 MB path of many elements, one 1 MB label, and 1 MB of escapes parse and show', (t) => {
  const many = repeatTo('/a', MB)
  const p = readPath(many.text)
  t.is(p.length, many.count)
  t.true(showPath(p) === many.text)

  const long = '/' + 'x'.repeat(MB)
  t.true(showPath(readPath(long)) === long)

  const escaped = repeatTo('\\x2f', MB)
  const e = readPath('/' + escaped.text)
  t.deepEqual(e, ['/'.repeat(escaped.count)])
  t.true(showPath(e) === '/' + escaped.text)
})

test('1 MB of `(` is a DtabParseError at the nesting limit, not a RangeError', (t) => {
  const parens = '('.repeat(MB)
  const err = t.throws(() => readNameTree(parens))
  t.is((err as ParseErrorLike).code, 'ERR_DTAB_PARSE')
  t.is((err as ParseErrorLike).offset, MAX_NESTING)
  const inDtab = t.throws(() => readDtab('/a=>' + parens))
  t.is((inDtab as ParseErrorLike).offset, 4 + MAX_NESTING)
  const atLimit = '('.repeat(MAX_NESTING) + '/a' + ')'.repeat(MAX_NESTING)
  t.deepEqual(readNameTree(atLimit), leafOf('a'))
})

test('trees nested to the limit parse and show', (t) => {
  let alts = '/a | /a'
  let unions = '/a & /a'
  for (let i = 0; i < MAX_NESTING; i++) {
    alts = `/a | (${alts})`
    unions = `/a & (${unions})`
  }
  t.true(showPathTree(readNameTree(alts)) === alts)
  t.true(showPathTree(readNameTree(unions)) === unions)
  const dtab = `/x=>${alts};/y=>${unions}`
  t.true(showDtab(readDtab(dtab)) === dtab)
})

test('1 MB of `#` or of whitespace is the empty dtab', (t) => {
  t.deepEqual(readDtab('#'.repeat(MB)), [])
  t.deepEqual(readDtab(repeatTo(' \u3000\n', MB).text), [])
  t.deepEqual(readDtab('#'.repeat(MB) + '\n/a=>/b'), [{ prefix: ['a'], dst: leafOf('b') }])
  t.deepEqual(readPath(' '.repeat(MB) + '/a' + '\t'.repeat(MB)), ['a'])
  const err = t.throws(() => readNameTree('#'.repeat(MB)))
  t.is((err as ParseErrorLike).offset, MB)
})

test('wildcards survive a megabyte-scale dtab round trip', (t) => {
  const { text, count } = repeatTo('/*/a/*=>/b|/c;', MB)
  const dtab = readDtab(text)
  t.is(dtab.length, count)
  t.deepEqual(dtab[0]?.prefix, [WILDCARD, 'a', WILDCARD])
  t.true(showDtab(dtab) === text.replaceAll('|', ' | ').slice(0, -1))
})

type Reader = 'readPath' | 'readNameTree' | 'readDtab'

/** A megabyte input, the show of what it reads as, or the offset of its DtabParseError. */
interface BigCase {
  readonly name: string
  readonly reader: Reader
  readonly input: string
  readonly shown?: string
  readonly errorAt?: number
}

function megabyteCases(): BigCase[] {
  const dtab = repeatTo('/svc/a=>/b;', MB).text
  const alt = repeatTo('/a | ', MB).text + '/a'
  const union = repeatTo('0.50*/a & ', MB).text + '/b'
  const path = repeatTo('/a', MB).text
  const escapes = '/' + repeatTo('\\x2f', MB).text
  const dollars = repeatTo('$|', MB)
  const negs = repeatTo('~&', MB)
  return [
    { name: 'dentries', reader: 'readDtab', input: dtab, shown: dtab.slice(0, -1) },
    { name: 'alternation', reader: 'readNameTree', input: alt, shown: alt },
    { name: 'union', reader: 'readNameTree', input: union, shown: union },
    {
      name: 'tight alternation',
      reader: 'readNameTree',
      input: dollars.text + '$',
      shown: '$ | '.repeat(dollars.count) + '$',
    },
    {
      name: 'tight union',
      reader: 'readNameTree',
      input: negs.text + '~',
      shown: '~ & '.repeat(negs.count) + '~',
    },
    { name: 'elements', reader: 'readPath', input: path, shown: path },
    { name: 'escapes', reader: 'readPath', input: escapes, shown: escapes },
    { name: 'comment', reader: 'readDtab', input: '#'.repeat(MB), shown: '' },
    { name: 'parens', reader: 'readNameTree', input: '('.repeat(MB), errorAt: MAX_NESTING },
  ]
}

/**
 * Reads and shows each case in a worker with a 1 MB stack, what a process's main thread has
 * (ava's own workers have 4 MB, which hides overflows such as spreading a huge argument list).
 */
const SMALL_STACK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
async function main() {
  const { readPath, readNameTree, readDtab } = await import(workerData.modules.parse)
  const { showPath } = await import(workerData.modules.path)
  const { showPathTree } = await import(workerData.modules.show)
  const { showDtab } = await import(workerData.modules.dtab)
  const run = {
    readPath: (s) => showPath(readPath(s)),
    readNameTree: (s) => showPathTree(readNameTree(s)),
    readDtab: (s) => showDtab(readDtab(s)),
  }
  return workerData.cases.map(({ reader, input }) => {
    try {
      return { shown: run[reader](input) }
    } catch (e) {
      return { error: { name: e.name, code: e.code, offset: e.offset } }
    }
  })
}
main().then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage(String(e.stack)))
`

async function inSmallStack(cases: readonly BigCase[]): Promise<unknown> {
  const modules = Object.fromEntries(
    ['parse', 'path', 'show', 'dtab'].map((m) => [m, new URL(`./${m}.js`, import.meta.url).href]),
  )
  const worker = new Worker(SMALL_STACK_WORKER, {
    eval: true,
    workerData: { modules, cases: cases.map(({ reader, input }) => ({ reader, input })) },
    resourceLimits: { stackSizeMb: 1 },
  })
  try {
    const [results] = (await once(worker, 'message')) as unknown[]
    return results
  } finally {
    await worker.terminate()
  }
}

test('with a main thread’s 1 MB stack, megabyte inputs read and show', async (t) => {
  const cases = megabyteCases()
  const results = await inSmallStack(cases)
  if (!Array.isArray(results)) return t.fail(String(results))
  cases.forEach((c, i) => {
    const r = results[i] as { shown?: string; error?: ParseErrorLike & { name: string } }
    if (c.errorAt !== undefined) {
      t.deepEqual(r.error, { name: 'DtabParseError', code: 'ERR_DTAB_PARSE', offset: c.errorAt })
    } else {
      t.is(r.error, undefined, `${c.name}: ${JSON.stringify(r.error)}`)
      t.true(r.shown === c.shown, `${c.name}: show(read(input)) is not as expected`)
    }
  })
})
