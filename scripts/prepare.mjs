#!/usr/bin/env node
// npm's `prepare` step (after `npm install`/`npm ci` in a checkout, and when npm installs this
// package from a git URL): compile to dist/ so that bin/*.js can run. tsc is incremental
// (dist/.tsbuildinfo), so after a first build this takes a second or two. An install without
// dev dependencies (`npm ci --omit=dev`) has no TypeScript: it keeps the dist/ it has and says
// so, rather than failing the install.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))

try {
  require.resolve('typescript/package.json')
} catch {
  console.warn('prepare: TypeScript is not installed (dev dependencies omitted): dist/ not rebuilt')
  process.exit(0)
}
// The whole build (scripts/build.mjs): tsc, then the admin pages' bundles.
const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' })
process.exit(r.status ?? 1)
