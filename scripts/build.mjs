#!/usr/bin/env node
// `npm run build` (and npm's `prepare`, and `npm test` first): compile the programs to dist/
// with tsc, type-check the admin pages (ui/, their own tsconfig: DOM, no Node), then bundle
// each page's entry with esbuild into dist/ui/<page>.js, and copy the style sheet. The pages
// are plain TypeScript (ui/dom.ts renders text only); the bundles hold everything they run:
// no CDN, nothing downloaded at run time.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))

/** The pages: entry point under ui/ → bundle name under dist/ui/. */
const PAGES = {
  'router/dashboard.ts': 'dashboard',
  'router/playground.ts': 'playground',
  'namerd/namespaces.ts': 'namespaces',
}

function tsc(project) {
  const pkg = require.resolve('typescript/package.json')
  const bin = join(dirname(pkg), require(pkg).bin.tsc)
  const r = spawnSync(process.execPath, [bin, '-p', join(root, project)], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

tsc('tsconfig.json')
tsc('ui/tsconfig.json')
const { buildSync } = require('esbuild')
const out = join(root, 'dist', 'ui')
mkdirSync(out, { recursive: true })
for (const [entry, name] of Object.entries(PAGES)) {
  buildSync({
    entryPoints: [join(root, 'ui', entry)],
    outfile: join(out, `${name}.js`),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    legalComments: 'none',
    logLevel: 'warning',
  })
}
copyFileSync(join(root, 'ui', 'style.css'), join(out, 'style.css'))
