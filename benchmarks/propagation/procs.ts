/**
 * Every process the propagation benchmark starts goes through here, so that all of them can be
 * stopped at the end, on an error and on Ctrl-C. Children run under `setpriv --pdeathsig KILL`:
 * if the benchmark itself is killed hard, the kernel kills them too (as testing/servers does).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'

const running = new Set<Proc>()
process.on('exit', () => {
  for (const p of running) p.child.kill('SIGKILL')
})

/** A long-running child: its name (for errors), the process, and its stderr tail. */
export interface Proc {
  readonly name: string
  readonly child: ChildProcess
  /** The last 4,000 characters it wrote on stderr (for "exited at start" errors). */
  stderr(): string
  /** Whether it has exited. */
  exited(): boolean
}

/** Spawns `argv` (under setpriv) with `env` added to ours; stdout ignored, stderr kept. */
export function spawnProc(name: string, argv: readonly string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  })
  return track(name, child)
}

/** Forks a Node script with an IPC channel; resolves with its first message. */
export function forkProc<M>(name: string, script: string): Promise<{ proc: Proc; message: M }> {
  const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  const proc = track(name, child)
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${proc.stderr()}`)))
    child.once('message', (message: M) => resolve({ proc, message }))
  })
}

function track(name: string, child: ChildProcess): Proc {
  let tail = ''
  child.stderr?.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4000)))
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null
  const proc = { name, child, stderr: () => tail, exited }
  running.add(proc)
  child.once('exit', () => running.delete(proc))
  return proc
}

/** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
export async function stopProc(p: Proc): Promise<void> {
  if (p.exited()) return
  const gone = new Promise<void>((r) => p.child.once('exit', () => r()))
  p.child.kill('SIGTERM')
  const hard = setTimeout(() => p.child.kill('SIGKILL'), 5000)
  await gone
  clearTimeout(hard)
}

/** Stops every process still running (all at once: 50 graceful shutdowns one by one are slow). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopProc))
}

/** Polls `check` every 50 ms until true; throws after `ms`, or at once if `proc` has exited. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  proc?: Proc,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check().catch(() => false))) {
    if (proc?.exited() === true) throw new Error(`${proc.name} exited: ${proc.stderr()}`)
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
