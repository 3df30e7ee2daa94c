/**
 * End-to-end harness for the real `namerd` binary: a config written to a temp dir, the process
 * spawned on free loopback ports, ready when `/admin/ready` says so. Everything started is
 * killed in `t.teardown`.
 */
import type { ExecutionContext } from 'ava'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../testing/services.js'

export const namerdBin = fileURLToPath(new URL('../../../bin/namerd.js', import.meta.url))

/** A temp directory removed after the test. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'namerd-e2e-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface NamerdProcess {
  readonly api: string
  readonly admin: string
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL: a crash. */
  kill(): Promise<void>
}

/** Runs `namerd --validate` on `file`; its status and output. */
export function validate(
  file: string,
  flag = '--validate',
): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [namerdBin, flag, file], { encoding: 'utf8' })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

/**
 * Starts namerd with `config` (the admin port and the first interface's port are filled in with
 * free ports unless given) and waits until it is ready.
 */
export async function startNamerd(
  t: ExecutionContext,
  dir: string,
  config: Record<string, unknown>,
): Promise<NamerdProcess> {
  const adminPort = ((config.admin as { port?: number } | undefined)?.port ??
    (await freePort())) as number
  const interfaces = (config.interfaces as { port?: number }[] | undefined) ?? [
    { kind: 'io.l5d.httpController' },
  ]
  const first = interfaces[0] as { port?: number }
  first.port ??= await freePort()
  const full = { ...config, admin: { port: adminPort }, interfaces }
  const file = join(dir, `namerd-${first.port}.json`)
  writeFileSync(file, JSON.stringify(full))
  const child = spawn(process.execPath, [namerdBin, file], {
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
  const admin = `http://127.0.0.1:${adminPort}`
  await waitReady(admin, child, () => output)
  return {
    api: `http://127.0.0.1:${first.port}`,
    admin,
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
}

async function waitReady(admin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`namerd exited with ${child.exitCode}:\n${output()}`)
    const ok = await fetch(`${admin}/admin/ready`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    if (Date.now() > deadline) throw new Error(`namerd not ready within 20 s:\n${output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
