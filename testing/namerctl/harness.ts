/**
 * End-to-end harness for `namerctl`: the real `bin/namerctl.js` spawned asynchronously (so that
 * two runs can really race) with a controlled environment and working directory, and the
 * assertions on what it printed and its exit status. Nothing here asserts timings.
 */
import type { ExecutionContext } from 'ava'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoPath } from '../paths.js'

export const namerctlBin = repoPath('bin/namerctl.js')

/** What one namerctl run did. */
export interface Run {
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Added to (or, when undefined, removed from) the environment; NAMERCTL_BASE_URL is unset. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** The working directory: a directory with no `.namerctl.*` file unless given. */
  readonly cwd?: string
  /** Written to standard input (closed either way). */
  readonly input?: string
}

const scratch: string[] = []

/** A directory of this process (of this test file), removed when it exits. */
export function scratchDir(name: string): string {
  if (scratch.length === 0)
    process.once('exit', () => {
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
    })
  const dir = mkdtempSync(join(tmpdir(), `namerctl-e2e-${name}-`))
  scratch.push(dir)
  return dir
}

let quietCwd: string | undefined

/** The environment of a run: ours without NAMERCTL_BASE_URL, then `extra`. */
export function runEnv(extra: RunOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.NAMERCTL_BASE_URL
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** Runs `namerctl ...args` to completion (killed after 30 s as a safety net, never asserted). */
export function namerctl(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  quietCwd ??= scratchDir('cwd')
  const child = spawn(process.execPath, [namerctlBin, ...args], {
    cwd: opts.cwd ?? quietCwd,
    env: runEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  child.stdin.on('error', () => undefined)
  child.stdin.end(opts.input ?? '')
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status, signal) => {
      clearTimeout(guard)
      resolve({ status, signal, stdout, stderr })
    })
  })
}

/** `namerctl` against the namerd at `base` (`--base-url` given after the command's arguments). */
export function against(base: string): (...args: string[]) => Promise<Run> {
  return (...args) => namerctl([...args, '--base-url', base])
}

/** A readable account of a run, for assertion messages. */
export function show(r: Run): string {
  return `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`
}

/**
 * Asserts that `r` failed with exit `status` and ONE stderr line `namerctl: <message>` matching
 * `message` (a string must be the whole message), no stack trace, nothing on stdout.
 */
export function failsWith(
  t: ExecutionContext,
  r: Run,
  status: number,
  message: RegExp | string,
): void {
  t.is(r.status, status, show(r))
  t.is(r.stdout, '', show(r))
  t.regex(r.stderr, /^namerctl: [^\n]*\n$/, `one line on stderr: ${show(r)}`)
  const text = r.stderr.replace(/^namerctl: /, '').replace(/\n$/, '')
  if (typeof message === 'string') t.is(text, message, show(r))
  else t.regex(text, message, show(r))
}

/** Asserts that `r` succeeded and printed exactly `stdout` (and nothing on stderr). */
export function printed(t: ExecutionContext, r: Run, stdout: string): void {
  t.is(r.status, 0, show(r))
  t.is(r.stdout, stdout, show(r))
  t.is(r.stderr, '', show(r))
}

/** Writes `text` to `name` in a temp dir of the test; its path. */
export function inputFile(t: ExecutionContext, name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'namerctl-e2e-input-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}
