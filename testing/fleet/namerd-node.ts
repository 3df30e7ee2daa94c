/**
 * One namerd replica of a fleet (fleet.ts): the real `bin/namerd.js` on fixed ports, so that
 * it can be killed and started again where the routers and namerctl expect it.
 */
import type { ExecutionContext } from 'ava'
import { startNamerd, type NamerdProcess } from '../namerd/process.js'

export interface NamerdPlace {
  /** The `storage` section (store.ts), shared by every replica of a fleet. */
  readonly storage: Record<string, unknown>
  /** The io.l5d.fs namer's directory. */
  readonly rootDir: string
  /** The httpController's port and the admin port. */
  readonly port: number
  readonly adminPort: number
}

/** A namerd config on the given store with an io.l5d.fs namer, on the given ports. */
export function namerdConfig(p: NamerdPlace): Record<string, unknown> {
  return {
    admin: { port: p.adminPort },
    storage: structuredClone(p.storage),
    namers: [{ kind: 'io.l5d.fs', rootDir: p.rootDir }],
    // A heartbeat every second: idle watch streams carry bytes, as in production (10 s).
    interfaces: [{ kind: 'io.l5d.httpController', port: p.port, heartbeatMs: 1000 }],
  }
}

/** A namerd process that can be killed (`kill -9`) and started again on the same ports. */
export class NamerdNode {
  #process: NamerdProcess

  private constructor(
    private readonly t: ExecutionContext,
    private readonly dir: string,
    private readonly config: Record<string, unknown>,
    first: NamerdProcess,
  ) {
    this.#process = first
  }

  /** Starts namerd with `config` (which names its ports) and waits until it is ready. */
  static async start(
    t: ExecutionContext,
    dir: string,
    config: Record<string, unknown>,
  ): Promise<NamerdNode> {
    return new NamerdNode(t, dir, config, await startNamerd(t, dir, structuredClone(config)))
  }

  /** The current process (a new one after `restart`). */
  get program(): NamerdProcess {
    return this.#process
  }

  /** `http://127.0.0.1:PORT` of its API; the same across restarts. */
  get api(): string {
    return this.#process.api
  }

  get port(): number {
    return Number(new URL(this.api).port)
  }

  /** Whether namerd reaches its store now (its `namerd_store_reachable` gauge is 1). */
  async storeReachable(): Promise<boolean> {
    const url = `${this.#process.admin}/admin/metrics/prometheus`
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
    const text = await res.text()
    if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`)
    return /^namerd_store_reachable 1$/m.test(text)
  }

  /** SIGKILL: a crash, no graceful close of its watch streams. */
  kill(): Promise<void> {
    return this.#process.kill()
  }

  /** Starts a new process on the same ports and config; resolves once it is ready. */
  async restart(): Promise<void> {
    if (this.#process.child.exitCode === null && this.#process.child.signalCode === null) {
      throw new Error('namerd is still running: kill it first')
    }
    this.#process = await startNamerd(this.t, this.dir, structuredClone(this.config))
  }
}
