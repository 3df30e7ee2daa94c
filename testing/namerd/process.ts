/**
 * End-to-end harness for the real `namerd` binary: a config written to a temp dir, the process
 * spawned on free loopback ports, ready when `/admin/ready` says so. Everything started is
 * killed in `t.teardown`.
 */
import type { ExecutionContext } from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../free-port.js'
import { repoPath } from '../paths.js'
import { startProgram, type Program } from '../program.js'

export const namerdBin = repoPath('bin/namerd.js')

/** A temp directory removed after the test. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'namerd-e2e-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface NamerdProcess extends Program {
  readonly api: string
  readonly admin: string
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
 * free ports unless given) and waits until it is ready. A first interface with `tls` makes `api`
 * `https://localhost:PORT` (test certificates name localhost); `adminCa` (PEM) is for an HTTPS
 * admin.
 */
export async function startNamerd(
  t: ExecutionContext,
  dir: string,
  config: Record<string, unknown>,
  options: { readonly adminCa?: string } = {},
): Promise<NamerdProcess> {
  const adminPort = ((config.admin as { port?: number } | undefined)?.port ??
    (await freePort())) as number
  const interfaces = (config.interfaces as { port?: number }[] | undefined) ?? [
    { kind: 'io.l5d.httpController' },
  ]
  const first = interfaces[0] as { port?: number; tls?: { enabled?: boolean } }
  first.port ??= await freePort()
  // The admin settings given (auth, say) are kept; the admin port is this one.
  const adminConfig = { ...(config.admin as Record<string, unknown> | undefined), port: adminPort }
  const full = { ...config, admin: adminConfig, interfaces }
  const file = join(dir, `namerd-${first.port}.json`)
  writeFileSync(file, JSON.stringify(full))
  const admin = `${options.adminCa === undefined ? 'http' : 'https'}://127.0.0.1:${adminPort}`
  const program = await startProgram(t, {
    name: 'namerd',
    bin: namerdBin,
    args: [file],
    admin,
    ...options,
    readyWithinMs: 30_000,
  })
  const tls = first.tls !== undefined && first.tls.enabled !== false
  const api = tls ? `https://localhost:${first.port}` : `http://127.0.0.1:${first.port}`
  return { ...program, api, admin }
}
