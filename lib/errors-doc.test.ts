import test from 'ava'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../testing/paths.js'

const root = repoRoot

function sources(dir: string): string[] {
  if (!existsSync(join(root, dir))) return []
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
}

test('every error code defined in the sources has a row in docs/errors.md', (t) => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8')
  const codes = new Set<string>()
  for (const dir of ['lib', 'dtabs', 'namers', 'namerctl', 'router', 'namerd']) {
    for (const file of sources(dir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g))
        codes.add(m[1] as string)
    }
  }
  t.true(codes.size >= 5, `found codes: ${[...codes].join(', ')}`)
  for (const code of codes)
    t.true(doc.includes(`| \`${code}\` |`), `${code} has no row in docs/errors.md`)
})
