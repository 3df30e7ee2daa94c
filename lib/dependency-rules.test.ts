/**
 * The dependency rules (.dependency-cruiser.mjs) fail when broken. Each case lays out a small
 * tree shaped like the repository in a temp dir, adds files that break one rule, and runs the
 * real dependency-cruiser there with the project's config and the arguments `npm run lint`
 * gives it. The real tree is only read.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { repoPath } from '../testing/paths.js'

type Files = Readonly<Record<string, string>>

/**
 * A tree that keeps every rule: each layer imports only what it may, a unit test uses its own
 * program's test support, and a family's plug-in imports a type from the index.ts that lists it
 * (the one cycle allowed).
 */
const CLEAN: Files = {
  'lib/errors.ts': `export const code = 'ERR_X'\n`,
  'dtabs/path.ts': `import { code } from '../lib/errors.js'\nexport const root = [code]\n`,
  'namers/index.ts': `import { root } from '../dtabs/path.js'\nexport const namers = [root]\n`,
  'router/identifiers/index.ts': [
    `import { pathIdentifier } from './path.js'`,
    `export interface IdentifierPlugin { readonly kind: string }`,
    `export const identifiers = [pathIdentifier]\n`,
  ].join('\n'),
  'router/identifiers/path.ts': [
    `import type { IdentifierPlugin } from './index.js'`,
    `export const pathIdentifier: IdentifierPlugin = { kind: 'io.l5d.path' }\n`,
  ].join('\n'),
  'router/main.ts': [
    `import { namers } from '../namers/index.js'`,
    `import { identifiers } from './identifiers/index.js'`,
    `export const main = [namers, identifiers]\n`,
  ].join('\n'),
  'namerd/main.ts': `import { namers } from '../namers/index.js'\nexport const main = [namers]\n`,
  'namerctl/main.ts': `import { root } from '../dtabs/path.js'\nexport const main = [root]\n`,
  'testing/router/process.ts': `import { main } from '../../router/main.js'\nexport const start = main\n`,
  'testing/namerd/process.ts': `import { main } from '../../namerd/main.js'\nexport const start = main\n`,
  'namerd/main.test.ts': `import { start } from '../testing/namerd/process.js'\nexport const t = start\n`,
  'namerctl/main.test.ts': `import { main } from './main.js'\nexport const t = main\n`,
}

/** Each rule, and files that break it (and no other rule). */
const BROKEN: readonly { readonly rule: string; readonly files: Files }[] = [
  {
    rule: 'programs-never-import-each-other',
    files: {
      'router/uses-namerd.ts': `import { main } from '../namerd/main.js'\nexport const x = main\n`,
    },
  },
  {
    rule: 'dtabs-no-node-builtins',
    files: {
      'dtabs/reads.ts': `import { readFileSync } from 'node:fs'\nexport const read = readFileSync\n`,
    },
  },
  {
    rule: 'product-never-imports-testing',
    files: {
      'namerd/uses-testing.ts': `import { start } from '../testing/namerd/process.js'\nexport const x = start\n`,
    },
  },
  {
    rule: 'no-circular',
    files: {
      'lib/a.ts': `import { b } from './b.js'\nexport const a = (): unknown => b\n`,
      'lib/b.ts': `import { a } from './a.js'\nexport const b = (): unknown => a\n`,
    },
  },
  {
    rule: 'no-type-cycle-outside-a-family',
    files: {
      'lib/c.ts': `import type { D } from './d.js'\nexport interface C { readonly d?: D }\n`,
      'lib/d.ts': `import type { C } from './c.js'\nexport interface D { readonly c?: C }\n`,
    },
  },
  {
    rule: 'unit-tests-use-one-program',
    files: {
      'namerctl/both.test.ts': `import { start } from '../testing/router/process.js'\nexport const t = start\n`,
    },
  },
]

/** The depcruise arguments of `npm run lint` (so this test runs what lint runs). */
async function lintArgs(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(repoPath('package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  const step = pkg.scripts.lint
    ?.split('&&')
    .map((s) => s.trim())
    .find((s) => s.startsWith('depcruise '))
  if (step === undefined) throw new Error('npm run lint does not run depcruise')
  return step.split(/\s+/).slice(1)
}

const dirs: string[] = []
test.after.always(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

/** A temp tree with the project's config, `CLEAN` and `extra` (removed after the tests). */
async function tree(extra: Files): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'depcruise-'))
  dirs.push(dir)
  for (const file of ['.dependency-cruiser.mjs', 'tsconfig.json']) {
    await copyFile(repoPath(file), join(dir, file))
  }
  for (const [file, text] of Object.entries({ ...CLEAN, ...extra })) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), text)
  }
  return dir
}

interface Run {
  readonly code: unknown
  readonly output: string
  /** The output's violation lines. */
  readonly errors: readonly string[]
}

/** Runs the project's dependency-cruiser, as `npm run lint` does, on `CLEAN` plus `extra`. */
async function lint(extra: Files): Promise<Run> {
  const [cwd, args] = await Promise.all([tree(extra), lintArgs()])
  const bin = repoPath('node_modules', '.bin', 'depcruise')
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 50_000 }, (err, stdout, stderr) => {
      const output = stdout + stderr
      const errors = output.split('\n').filter((line) => line.trimStart().startsWith('error '))
      resolve({ code: err === null ? 0 : err.code, output, errors })
    })
  })
}

// One run for the clean tree and one for all the broken cases together: dependency-cruiser
// takes seconds to start, and each case's files break its rule only (checked below).
let cleanRun: Promise<Run> | undefined
let brokenRun: Promise<Run> | undefined
const clean = () => (cleanRun ??= lint({}))
const broken = () => (brokenRun ??= lint(Object.assign({}, ...BROKEN.map((c) => c.files)) as Files))

test('dependency rules: a tree that keeps them passes (a family index.ts ↔ plug-in type cycle is allowed)', async (t) => {
  const { code, output } = await clean()
  t.is(code, 0, output)
  t.regex(output, /no dependency violations found \(\d+ modules/)
})

for (const { rule, files } of BROKEN) {
  test(`dependency rules: breaking ${rule} fails lint, naming the rule and the file`, async (t) => {
    const { code, output, errors } = await broken()
    t.not(code, 0, output)
    const mine = errors.filter((line) => line.includes(`error ${rule}: `))
    t.true(mine.length > 0, output)
    t.true(
      mine.every((line) => Object.keys(files).some((file) => line.includes(file))),
      output,
    )
  })
}

test('dependency rules: the broken tree shows no violation besides the expected ones', async (t) => {
  const { errors, output } = await broken()
  const expected = BROKEN.map((c) => `error ${c.rule}: `)
  t.true(errors.length >= BROKEN.length, output)
  for (const line of errors)
    t.true(
      expected.some((e) => line.includes(e)),
      line,
    )
})
