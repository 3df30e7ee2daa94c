/**
 * What the namerctl end-to-end tests run against: a real namerd on the io.l5d.file store in a
 * temp dir (testing/namerd/process.ts), started once per test file in `test.before` and stopped in
 * `test.after.always` through `Cleanups` (ava allows no `t.teardown` in hooks).
 */
import type { ExecutionContext, TestFn } from 'ava'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNamerd, type NamerdProcess } from '../namerd/process.js'
import { against, type Run } from './harness.js'
import { NamerdApi } from './namerd-api.js'

/** Cleanups registered outside a test (in `test.before`), run by `test.after.always`. */
export class Cleanups {
  private readonly fns: (() => unknown)[] = []

  /** Stands in for the ExecutionContext that namerd's harness wants (it only calls teardown). */
  get context(): ExecutionContext {
    return { teardown: (fn: () => unknown) => this.fns.push(fn) } as unknown as ExecutionContext
  }

  add(fn: () => unknown): void {
    this.fns.push(fn)
  }

  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) await fn()
  }
}

/** A namerd on the io.l5d.file store in a fresh temp dir, with an io.l5d.fs namer on `disco`. */
export interface FileNamerd {
  readonly namerd: NamerdProcess
  readonly dir: string
  readonly disco: string
  readonly config: Record<string, unknown>
}

/** The config of a file-store namerd in `dir` (heartbeats every 100 ms: they must not show). */
export function fileConfig(dir: string, disco: string): Record<string, unknown> {
  return {
    storage: { kind: 'io.l5d.file', path: join(dir, 'dtabs.json') },
    namers: [{ kind: 'io.l5d.fs', rootDir: disco }],
    interfaces: [{ kind: 'io.l5d.httpController', heartbeatMs: 100 }],
  }
}

/** Starts a file-store namerd; `services` become io.l5d.fs files (`name` → `host port` lines). */
export async function startFileNamerd(
  cleanups: Cleanups,
  services: Record<string, string> = {},
): Promise<FileNamerd> {
  const dir = mkdtempSync(join(tmpdir(), 'namerctl-e2e-namerd-'))
  cleanups.add(() => rmSync(dir, { recursive: true, force: true }))
  const disco = join(dir, 'disco')
  mkdirSync(disco)
  for (const [name, text] of Object.entries(services)) writeFileSync(join(disco, name), text)
  const config = fileConfig(dir, disco)
  const namerd = await startNamerd(cleanups.context, dir, config)
  return { namerd, dir, disco, config }
}

/** Cleanups of one test, run by its teardown. */
export function cleanupsOf(t: ExecutionContext): Cleanups {
  const c = new Cleanups()
  t.teardown(() => c.run())
  return c
}

let counter = 0

/** A namespace name unique in this process (tests in a file run concurrently on one namerd). */
export function uniqueName(what: string): string {
  counter += 1
  return `${what}-${counter}`
}

/** What most test files use: namerd's API for setup and checks, and namerctl pointed at it. */
export interface SharedNamerd {
  readonly api: NamerdApi
  readonly ctl: (...args: string[]) => Promise<Run>
}

/** Starts one file-store namerd for the whole test file (`ready` gets it) and stops it after. */
export function shareFileNamerd(test: TestFn, ready: (n: SharedNamerd) => void): void {
  const cleanups = new Cleanups()
  test.before(async () => {
    const n = await startFileNamerd(cleanups)
    ready({ api: new NamerdApi(n.namerd.api), ctl: against(n.namerd.api) })
  })
  test.after.always(() => cleanups.run())
}
