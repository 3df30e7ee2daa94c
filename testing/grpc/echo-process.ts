/**
 * The Echo backend as a child process (echo-main.ts): started, asked for its counts over IPC,
 * SIGKILLed and started again on the same port. Stopped in `t.teardown` by `echoBackends`; a
 * child also exits by itself when its parent goes away.
 */
import type { ExecutionContext } from 'ava'
import { fork, type ChildProcess } from 'node:child_process'
import { repoPath } from '../paths.js'
import type { EchoCounts } from './echo-backend.js'

const script = repoPath('dist/testing/grpc/echo-main.js')

/** An Echo backend process; `port` stays the same across `kill()`/`restart()`. */
export class EchoProcess {
  #child: ChildProcess
  #nextId = 0

  private constructor(
    readonly name: string,
    readonly port: number,
    child: ChildProcess,
  ) {
    this.#child = child
  }

  /** Forks the backend and resolves once it listens (on `port`, else one the kernel picks). */
  static async start(name: string, port = 0): Promise<EchoProcess> {
    const { child, port: bound } = await spawnEcho(name, port)
    return new EchoProcess(name, bound, child)
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** SIGKILL (a crash: the kernel closes its connections); resolves once it exited. */
  async kill(): Promise<void> {
    if (!this.running) return
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
    this.#child.kill('SIGKILL')
    await gone
  }

  /** Starts it again on the same port, counters at zero. */
  async restart(): Promise<void> {
    await this.kill()
    this.#child = (await spawnEcho(this.name, this.port)).child
  }

  /** What the backend saw since it (last) started. */
  counts(): Promise<EchoCounts> {
    const id = this.#nextId++
    const child = this.#child
    return new Promise((resolve, reject) => {
      const onMessage = (m: { id?: number; counts?: EchoCounts }): void => {
        if (m.id !== id || m.counts === undefined) return
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(m.counts)
      }
      const onExit = (): void => reject(new Error(`echo backend ${this.name} exited`))
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send({ id }, (e) => (e === null ? undefined : reject(e)))
    })
  }
}

/** `names.length` Echo processes, killed when the test ends. */
export async function echoBackends(
  t: ExecutionContext,
  ...names: string[]
): Promise<EchoProcess[]> {
  const started = await Promise.all(names.map((name) => EchoProcess.start(name)))
  t.teardown(() => Promise.all(started.map((b) => b.kill())))
  return started
}

async function spawnEcho(
  name: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const args = ['--name', name, '--port', String(port)]
  const child = fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const bound = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) =>
      reject(new Error(`echo backend ${name} exited (${code}) at start`)),
    )
    child.once('message', (m: { port: number }) => resolve(m.port))
  })
  child.removeAllListeners('exit')
  child.removeAllListeners('error')
  return { child, port: bound }
}
