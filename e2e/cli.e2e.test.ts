/**
 * The three programs' shared command-line behaviour, on the real bin/*.js: `--version`, one error
 * style (`<program>: …`, one line, no stack, status 2 for usage and 1 for a failure), `--help`
 * naming LOG_LEVEL, the exit statuses and the docs, linkerd's `-validate`, and the message of a
 * checkout that was never built.
 */
import test from 'ava'
import { execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binPath, repoPath } from '../testing/paths.js'

const PROGRAMS = ['router', 'namerd', 'namerctl'] as const
type Program = (typeof PROGRAMS)[number]

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node <bin> ...args` to completion (killed after 30 s, a hang: never asserted). */
function run(bin: string, args: readonly string[], cwd?: string): Promise<Run> {
  const env = { ...process.env, LOG_LEVEL: 'warn', NAMERCTL_BASE_URL: 'http://127.0.0.1:1' }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { encoding: 'utf8', timeout: 30_000, cwd, env },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null
        resolve({ status, stdout, stderr })
      },
    )
  })
}

const program = (name: Program, ...args: string[]): Promise<Run> => run(binPath(name), args)
const show = (r: Run): string => `status ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`

/** A temp dir removed after the test. */
function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const version = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string })
  .version

test('--version prints the program and the package version', async (t) => {
  for (const name of PROGRAMS) {
    const r = await program(name, '--version')
    t.is(r.status, 0, show(r))
    t.is(r.stdout, `${name} ${version}\n`)
    t.is(r.stderr, '')
  }
})

test('a usage error is one line prefixed with the program, status 2', async (t) => {
  for (const name of PROGRAMS) {
    for (const args of [['--frob'], ['--frob', 'x.yaml']]) {
      const r = await program(name, ...args)
      t.is(r.status, 2, `${name} ${args.join(' ')}: ${show(r)}`)
      t.regex(
        r.stderr,
        new RegExp(`^${name}: unknown option '--frob' \\(see ${name} --help\\)\\n$`),
      )
    }
  }
  for (const [name, args] of [
    ['router', []],
    ['router', ['--workers', '0', 'x.yaml']],
    ['namerd', []],
    ['namerctl', ['dtab', 'get']],
  ] as const) {
    const r = await program(name, ...args)
    t.is(r.status, 2, `${name} ${args.join(' ')}: ${show(r)}`)
    t.regex(r.stderr, new RegExp(`^${name}: [^\\n]+\\n$`), `${name} ${args.join(' ')}`)
  }
})

test('a config error is one line prefixed with the program, status 1, no stack', async (t) => {
  const dir = tempDir(t)
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'routers:\n- protocol: http\n  servers: [{port: 0}]\n  frob: 1\n')
  const badNamerd = join(dir, 'bad-namerd.yaml')
  writeFileSync(badNamerd, 'storage: {kind: io.l5d.nope}\n')
  for (const [name, args, where] of [
    ['router', [bad], /^router: .*frob/],
    ['router', ['-validate', bad], /^router: .*frob/],
    ['router', [join(dir, 'missing.yaml')], /^router: .*missing\.yaml/],
    ['namerd', [badNamerd], /^namerd: .*io\.l5d\.nope/],
    ['namerd', ['-validate', badNamerd], /^namerd: .*io\.l5d\.nope/],
    ['namerctl', ['dtab', 'fmt', join(dir, 'missing.dtab')], /^namerctl: .*missing\.dtab/],
  ] as const) {
    const r = await program(name, ...args)
    t.is(r.status, 1, `${name} ${args.join(' ')}: ${show(r)}`)
    t.regex(r.stderr, where, `${name} ${args.join(' ')}`)
    t.false(r.stderr.includes('    at '), `no stack trace: ${r.stderr}`)
    t.is(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`)
  }
})

test("router -validate (linkerd's spelling) and --validate check an example config", async (t) => {
  const file = repoPath('examples/per-host/router.yaml')
  for (const flag of ['-validate', '--validate']) {
    const r = await program('router', flag, file)
    t.is(r.status, 0, show(r))
    t.is(r.stdout, `${file}: valid (2 router(s))\n`)
  }
})

test('--help names LOG_LEVEL, every exit status and docs that exist', async (t) => {
  for (const name of PROGRAMS) {
    const r = await program(name, '--help')
    t.is(r.status, 0, show(r))
    t.regex(r.stdout, /^Environment:\n(.*\n)* {2}LOG_LEVEL /m, name)
    const statuses = /^Exit statuses:\n((?: {2}\d .*\n)+)/m.exec(r.stdout)?.[1] ?? ''
    const numbers = [...statuses.matchAll(/^ {2}(\d) /gm)].map((m) => Number(m[1]))
    t.deepEqual(numbers.slice(0, 3), [0, 1, 2], `${name} exit statuses:\n${r.stdout}`)
    const docs = /^Documentation:\n((?: {2}\S+\n?)+)/m.exec(r.stdout)?.[1] ?? ''
    const paths = docs
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
    t.true(paths.includes(repoPath('README.md')), `${name} names the README:\n${r.stdout}`)
    t.true(
      paths.some((p) => p.startsWith(repoPath('docs'))),
      `${name} names docs/*.md`,
    )
    for (const p of paths) t.true(existsSync(p), `${name}: ${p} exists`)
  }
  const router = (await program('router', '--help')).stdout
  for (const level of ['error', 'warn', 'info', 'debug']) t.true(router.includes(level), level)
  t.true(router.includes('-validate'))
})

test('a checkout that was never built says so in one line, status 1', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'bin'))
  copyFileSync(repoPath('bin/launch.js'), join(dir, 'bin/launch.js'))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  for (const name of PROGRAMS) {
    copyFileSync(binPath(name), join(dir, 'bin', `${name}.js`))
    const r = await run(join(dir, 'bin', `${name}.js`), ['--version'], dir)
    t.is(r.status, 1, show(r))
    t.is(r.stderr, `${name}: not built yet: run npm run build (or npm ci) first\n`)
    t.is(r.stdout, '')
  }
})

test('--help into a closed pipe (`router --help | head -1`) ends quietly, status 0', async (t) => {
  for (const name of PROGRAMS) {
    const child = spawn(process.execPath, [binPath(name), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.destroy() // the reader is gone before the program writes
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve))
    t.is(status, 0, `${name}: ${stderr}`)
    t.is(stderr, '', name)
  }
})
