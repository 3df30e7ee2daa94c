/**
 * The repository refers to nothing outside itself: no path out of it, no Markdown link to a
 * file (or heading) it lacks, no citation of a document it does not have. Reads every file git
 * knows (tracked, or new and not ignored); without git (an unpacked tarball), every file but
 * node_modules/, dist/ and .git.
 */
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { basename, extname, join, posix } from 'node:path'
import { repoRoot } from '../testing/paths.js'

/** This file names what it looks for, so the name and path checks skip it. */
const SELF = 'lib/self-contained.test.ts'

/** The repository's files, relative to its root, `/`-separated. */
function repoFiles(): string[] {
  try {
    const args = ['ls-files', '-z', '--cached', '--others', '--exclude-standard']
    const out = execFileSync('git', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return out.split('\0').filter((f) => f !== '')
  } catch {
    return walk('')
  }
}

/** Not the repository's own files: installed packages, build output, git's store. */
const NOT_OURS = new Set(['node_modules', 'dist', '.git'])

/** The files under `dir` (relative to the root), skipping `NOT_OURS`. */
function walk(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir === '' ? e.name : `${dir}/${e.name}`
    if (NOT_OURS.has(path)) return []
    if (e.isDirectory()) return walk(path)
    return e.isFile() ? [path] : []
  })
}

const FILES = repoFiles()
const FILE_SET = new Set(FILES)

/** The text of a repository file, or undefined for a binary one. */
function textOf(file: string): string | undefined {
  const bytes = readFileSync(join(repoRoot, file))
  return bytes.includes(0) ? undefined : bytes.toString('utf8')
}

const TEXTS: ReadonlyMap<string, string> = new Map(
  FILES.flatMap((f) => {
    const text = textOf(f)
    return text === undefined ? [] : [[f, text] as const]
  }),
)

/** `file:line: what` for every line of every text file that `check` objects to. */
function problems(check: (line: string, file: string) => string | undefined): string[] {
  const found: string[] = []
  for (const [file, text] of TEXTS) {
    if (file === SELF) continue
    text.split('\n').forEach((line, i) => {
      const what = check(line, file)
      if (what !== undefined) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`)
    })
  }
  return found
}

test('the repository has its files to check', (t) => {
  t.true(FILE_SET.has('package.json') && FILE_SET.has(SELF), FILES.slice(0, 5).join(', '))
  t.true(TEXTS.size > 100)
})

test('no path leads out of the repository (the shared notes, the machine it was written on)', (t) => {
  const outside = [/\.\.\/shared\b/, /\/work\//]
  const found = problems((line) =>
    outside.some((re) => re.test(line)) ? 'a path outside the repository' : undefined,
  )
  t.deepEqual(found, [])
})

/** Reference notes the project was written from; cite them only once the repository has them. */
const NOTES = ['deps.md', 'linkerd-features', 'perf-anchors', 'house-style', 'dtab-semantics']

test('no citation of a note the repository does not have', (t) => {
  const have = new Set(FILES.flatMap((f) => [basename(f), basename(f, extname(f))]))
  const missing = NOTES.filter((name) => !have.has(name))
  t.true(have.has('dtab-semantics'), 'docs/dtab-semantics.md is part of the repository')
  const found = problems((line) => {
    const cited = missing.find((name) => line.includes(name))
    if (cited !== undefined) return `cites ${cited}, which the repository does not have`
    if (/\bspec §?\d/.test(line)) return 'cites "spec N.M": write docs/dtab-semantics.md §N.M'
    return undefined
  })
  t.deepEqual(found, [])
})

/** The section numbers of docs/dtab-semantics.md (`## 6.` → `6`, `### 6.1 …` → `6.1`). */
function semanticsSections(): Set<string> {
  const text = TEXTS.get('docs/dtab-semantics.md') ?? ''
  return new Set([...text.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((m) => m[1] as string))
}

test('every docs/dtab-semantics.md §N.M cited names a section it has', (t) => {
  const sections = semanticsSections()
  t.true(sections.has('6.1') && sections.has('8'), [...sections].join(' '))
  const found = problems((line) => {
    const cites = [...line.matchAll(/dtab-semantics\.md §(\d+(?:\.\d+)*)/g)]
    const bad = cites.map((m) => m[1] as string).filter((n) => !sections.has(n))
    return bad.length > 0 ? `no section ${bad.join(', ')} in docs/dtab-semantics.md` : undefined
  })
  t.deepEqual(found, [])
})

/** A Markdown file's lines outside fenced code blocks, with their numbers. */
function proseLines(text: string): [number, string][] {
  let fenced = false
  const lines: [number, string][] = []
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
    else if (!fenced) lines.push([i + 1, line])
  })
  return lines
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** The anchors of a Markdown file's headings (a repeated heading gets `-1`, `-2`, …). */
function anchors(text: string): Set<string> {
  const found = new Set<string>()
  const times = new Map<string, number>()
  for (const [, line] of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = slug(heading)
    const n = times.get(base) ?? 0
    times.set(base, n + 1)
    found.add(n === 0 ? base : `${base}-${n}`)
  }
  return found
}

/** The link targets of a Markdown line: `[x](target)`, `![x](target)`, `[x]: target`. */
function linkTargets(line: string): string[] {
  const inline = [...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
  const reference = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line)
  return [...inline.map((m) => m[1] as string), ...(reference ? [reference[1] as string] : [])]
}

/** Why a link from `file` to `target` does not lead to something the repository has, if so. */
function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined
  const [rawPath = '', anchor] = target.split('#')
  const path =
    rawPath === '' ? file : posix.normalize(posix.join(posix.dirname(file), decodeURI(rawPath)))
  if (path === '..' || path.startsWith('../')) return `${target} leads out of the repository`
  const isDir = FILES.some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`))
  if (!FILE_SET.has(path) && !isDir) return `${target}: no such file in the repository`
  if (anchor === undefined || anchor === '' || !path.endsWith('.md')) return undefined
  const headings = anchors(TEXTS.get(path) ?? '')
  return headings.has(anchor) ? undefined : `${target}: no heading #${anchor} in ${path}`
}

test('every relative link in the Markdown files leads to a file (and heading) of the repository', (t) => {
  const found: string[] = []
  let links = 0
  for (const [file, text] of TEXTS) {
    if (!file.endsWith('.md')) continue
    for (const [n, line] of proseLines(text)) {
      // Code spans are examples, not links; a link's text may hold one (`[`x`](x)`).
      for (const target of linkTargets(line.replace(/`[^`]*`/g, ''))) {
        links++
        const why = brokenLink(file, target)
        if (why !== undefined) found.push(`${file}:${n}: ${why}`)
      }
    }
  }
  t.true(links > 20, `only ${links} links found: is the link pattern right?`)
  t.deepEqual(found, [])
})
