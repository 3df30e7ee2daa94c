/**
 * The controllable backend as a child process (`main.ts`): started, controlled over IPC,
 * SIGKILLed and started again on the same port. The caller stops it (`stop()`); a child also
 * exits by itself when its parent goes away.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { repoPath } from '../paths.js'
import type { Counts, Mode } from './controllable.js'

const script = repoPath('dist/testing/backend/main.js')

export interface BackendProcessOptions {
  readonly name: string
  /** Default: a port the kernel chooses at the first start, kept for restarts. */
  readonly port?: number
  readonly mode?: Mode
}

/** A backend process; `port` stays the same across `kill()`/`restart()`. */
export class BackendProcess {
  #child: ChildProcess
  #nextId = 0

  private constructor(
    readonly name: string,
    readonly port: number,
    child: ChildProcess,
  ) {
    this.#child = child
  }

  /** Forks the backend and resolves once it listens. */
  static async start(options: BackendProcessOptions): Promise<BackendProcess> {
    const { child, port } = await spawnBackend(options.name, options.port ?? 0, options.mode)
    return new BackendProcess(options.name, port, child)
  }

  /** Whether the process runs. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** SIGKILL (a crash): its connections are closed by the kernel. Resolves once it exited. */
  async kill(): Promise<void> {
    if (!this.running) return
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
    this.#child.kill('SIGKILL')
    await gone
  }

  /** Starts it again on the same port (in `ok` mode, counters at zero) once killed. */
  async restart(mode?: Mode): Promise<void> {
    await this.kill()
    this.#child = (await spawnBackend(this.name, this.port, mode)).child
  }

  /** Sets the mode; resolves once the backend applied it. */
  async setMode(mode: Mode): Promise<Counts> {
    return this.#control(mode)
  }

  /** The backend's counters (since it last started). */
  async counts(): Promise<Counts> {
    return this.#control(undefined)
  }

  /** Ends the process (SIGKILL: nothing of its state is kept). */
  async stop(): Promise<void> {
    await this.kill()
  }

  #control(mode: Mode | undefined): Promise<Counts> {
    const id = this.#nextId++
    const child = this.#child
    return new Promise((resolve, reject) => {
      const onMessage = (m: { id?: number; counts?: Counts }): void => {
        if (m.id !== id || m.counts === undefined) return
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(m.counts)
      }
      const onExit = (): void => reject(new Error(`backend ${this.name} exited`))
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send(mode === undefined ? { id } : { id, mode }, (e) => {
        if (e !== null) reject(e)
      })
    })
  }
}

async function spawnBackend(
  name: string,
  port: number,
  mode: Mode | undefined,
): Promise<{ child: ChildProcess; port: number }> {
  const args = ['--name', name, '--port', String(port)]
  if (mode !== undefined) args.push('--mode', JSON.stringify(mode))
  const child = fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const bound = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`backend ${name} exited (${code}) at start`)))
    child.once('message', (m: { port: number }) => resolve(m.port))
  })
  child.removeAllListeners('exit')
  child.removeAllListeners('error')
  return { child, port: bound }
}
