/**
 * A `namerctl dtab watch` left running: its output so far, a way to wait for what it prints,
 * and a signal to end it (killed in the cleanup whatever the test did).
 */
import { spawn } from 'node:child_process'
import { eventually } from '../eventually.js'
import { namerctlBin, runEnv, scratchDir, type Run } from './harness.js'

export interface Watcher {
  readonly stdout: () => string
  readonly stderr: () => string
  /** Waits until `check(stdout, stderr)` holds (fails after 15 s, with the output so far). */
  until(what: string, check: (stdout: string, stderr: string) => boolean): Promise<void>
  /** Sends `sig` and resolves with the whole run once it has exited. */
  signal(sig: NodeJS.Signals): Promise<Run>
  /** SIGKILL if still running. */
  close(): Promise<void>
}

/** Starts `namerctl ...args` and leaves it running. */
export function startWatch(args: readonly string[], env: Record<string, string> = {}): Watcher {
  const child = spawn(process.execPath, [namerctlBin, ...args], {
    cwd: scratchDir('watch'),
    env: runEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const done = new Promise<Run>((resolve) =>
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  )
  const running = () => child.exitCode === null && child.signalCode === null
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    until: async (what, check) => {
      try {
        await eventually(what, () => check(stdout, stderr) || !running(), 15_000)
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- stdout\n${stdout}--- stderr\n${stderr}`)
      }
      if (!check(stdout, stderr))
        throw new Error(`watch exited (${child.exitCode}) before ${what}\n${stdout}\n${stderr}`)
    },
    signal: (sig) => {
      if (running()) child.kill(sig)
      return done
    },
    close: async () => {
      if (running()) child.kill('SIGKILL')
      await done
    },
  }
}

/** The documents of a pretty watch: the blocks between blank lines, each with its final `\n`. */
export function blocks(stdout: string): string[] {
  return stdout
    .split(/\n\n+/)
    .map((b) => b.replace(/^\n+|\n+$/g, ''))
    .filter((b) => b !== '')
    .map((b) => `${b}\n`)
}
