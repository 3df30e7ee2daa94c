/**
 * Real storage servers for tests (etcd, ZooKeeper), started on free loopback ports in temp
 * dirs. A missing binary is a failure, never a skip. Children are spawned through
 * `setpriv --pdeathsig KILL` (the kernel kills them if the test process dies) and killed on
 * exit as well, so no run leaves a server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export { freePort } from '../free-port.js'

const alive = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of alive) c.kill('SIGKILL')
})

export interface ServiceSpec {
  readonly name: string
  /** The program and its arguments (run under setpriv). */
  readonly argv: readonly string[]
  /** Resolves true once the server answers. */
  readonly ready: () => Promise<boolean>
  /** A file that must exist (the binary or jar), for a clear error when it is not installed. */
  readonly requires: string
}

/** A running (or stopped) server: restartable on the same ports and data dir. */
export class Service {
  private child: ChildProcess | undefined
  private stderr = ''

  constructor(
    private readonly spec: ServiceSpec,
    /** The temp dir holding its data; removed by `cleanup`. */
    readonly dir: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Starts the server and waits until it answers (30 s at most). */
  async start(): Promise<void> {
    if (!existsSync(this.spec.requires)) {
      throw new Error(`${this.spec.name}: ${this.spec.requires} is missing (apt-get install it)`)
    }
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...this.spec.argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    this.child = child
    alive.add(child)
    child.stderr?.on(
      'data',
      (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-4000)),
    )
    child.once('exit', () => alive.delete(child))
    const deadline = Date.now() + 30_000
    while (!(await this.spec.ready().catch(() => false))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.spec.name} exited at start: ${this.stderr}`)
      }
      if (Date.now() > deadline) throw new Error(`${this.spec.name} not ready in 30 s`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void> {
    return this.signal('SIGTERM')
  }

  /** SIGKILL: a crash. */
  kill(): Promise<void> {
    return this.signal('SIGKILL')
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  /** Stops the server and deletes its data. */
  async cleanup(): Promise<void> {
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill(sig)
    const hard = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(hard)
  }
}

/** A temp dir for one server. */
export function serviceDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `${name}-`))
}

/** Starts a server made by `make` (fresh ports each time), retrying twice if startup fails. */
export async function startWithRetry<S extends Service>(make: () => Promise<S>): Promise<S> {
  for (let attempt = 1; ; attempt++) {
    const server = await make()
    try {
      await server.start()
      return server
    } catch (e) {
      await server.cleanup()
      if (attempt >= 3) throw e
    }
  }
}
