/**
 * One of this project's programs (`router`, `namerd`) run for an end-to-end test: spawned on a
 * config file, its output kept for failure messages, ready once its admin server says so, and
 * killed in `t.teardown` whatever the test did.
 */
import type { ExecutionContext } from 'ava'
import { Agent, request } from 'undici'
import { spawn, type ChildProcess } from 'node:child_process'

export interface Program {
  readonly child: ChildProcess
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string
  /** Resolves with the exit code when the process exits. */
  readonly exited: Promise<number | null>
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL (a crash); resolves once it has exited. */
  kill(): Promise<void>
}

export interface ProgramSpec {
  /** For messages: `router`, `namerd`. */
  readonly name: string
  readonly bin: string
  readonly args: readonly string[]
  /** `http://127.0.0.1:PORT` (or `https://`) of its admin server, polled at `/admin/ready`. */
  readonly admin: string
  /** For an HTTPS admin: the CA (PEM) its certificate is checked against. */
  readonly adminCa?: string
  readonly readyWithinMs: number
}

/** Starts the program and waits until `/admin/ready` answers 200 (or it exits: an error). */
export async function startProgram(t: ExecutionContext, spec: ProgramSpec): Promise<Program> {
  const child = spawn(process.execPath, [spec.bin, ...spec.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  t.teardown(async () => {
    if (alive()) child.kill('SIGKILL')
    await exited
  })
  const program: Program = {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (alive()) child.kill('SIGTERM')
      return exited
    },
    kill: async () => {
      if (alive()) child.kill('SIGKILL')
      await exited
    },
  }
  await waitReady(spec, program)
  return program
}

async function waitReady(spec: ProgramSpec, p: Program): Promise<void> {
  const deadline = Date.now() + spec.readyWithinMs
  for (;;) {
    if (p.child.exitCode !== null)
      throw new Error(`${spec.name} exited with ${p.child.exitCode}:\n${p.output()}`)
    const ready = await isReady(spec)
    if (ready) return
    if (Date.now() > deadline)
      throw new Error(`${spec.name} not ready within ${spec.readyWithinMs} ms:\n${p.output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function isReady(spec: ProgramSpec): Promise<boolean> {
  const url = `${spec.admin}/admin/ready`
  if (spec.adminCa === undefined) {
    return fetch(url).then(
      async (r) => (await r.text(), r.ok),
      () => false,
    )
  }
  const dispatcher = new Agent({ connect: { ca: spec.adminCa } })
  try {
    const r = await request(url, { dispatcher })
    await r.body.text()
    return r.statusCode === 200
  } catch {
    return false
  } finally {
    await dispatcher.close()
  }
}
