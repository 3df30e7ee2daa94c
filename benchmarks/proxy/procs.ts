/**
 * Process plumbing for the proxy benchmark: start a child that reports its port over IPC (or a
 * command that listens on a port we chose), wait until it accepts connections, stop it, read RSS
 * and CPU time.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'

export interface Proc {
  readonly name: string
  readonly port: number
  readonly child: ChildProcess
}

export { freePort } from '../../testing/free-port.js'

/** Forks a Node script that sends `{port}` over IPC once listening. */
export function forkServer(name: string, script: string, args: string[]): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)))
    child.once('message', (m: { port: number }) => resolve({ name, port: m.port, child }))
  })
}

/** Spawns a command that will listen on `port`; resolves once the port accepts connections. */
export async function spawnServer(
  name: string,
  cmd: string,
  args: string[],
  port: number,
): Promise<Proc> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  let exited: number | null | undefined
  child.once('exit', (code) => (exited = code))
  const deadline = Date.now() + 15_000
  while (!(await accepts(port))) {
    if (exited !== undefined) throw new Error(`${name} exited with ${exited} before listening`)
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port} within 15 s`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return { name, port, child }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** Stops a process (SIGTERM, then SIGKILL after 5 s). */
export async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()))
  p.child.kill('SIGTERM')
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/** Resident set size of a process and its descendants, in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  let kb = 0
  for (const p of [pid, ...children(pid)]) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readProc(p, 'status'))
    if (m !== null) kb += Number(m[1])
  }
  return kb / 1024
}

/**
 * CPU seconds (user + system, all threads) a process and its descendants have used, from
 * /proc/<pid>/stat (the kernel counts in 1/100 s): nginx's workers are its master's children.
 */
export function cpuSeconds(pid: number): number {
  let ticks = 0
  for (const p of [pid, ...children(pid)]) {
    const stat = readProc(p, 'stat')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields.length > 12) ticks += Number(fields[11]) + Number(fields[12])
  }
  return ticks / 100
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return ''
  }
}

function children(pid: number): number[] {
  try {
    const direct = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
    return direct.flatMap((c) => [c, ...children(c)])
  } catch {
    return []
  }
}
