/**
 * A test server run as a child process (a forked script), so that a test can SIGKILL it and
 * start it again on the same port. The script's side of the protocol: once listening it sends
 * `{ port }` over IPC; each message `{ id, ... }` is answered with `{ id, counts }` once done;
 * it exits when the IPC channel closes (its parent went away, even killed). Used by
 * testing/backend/process.ts (HTTP/1.1) and testing/grpc/echo-process.ts (gRPC).
 */
import { fork, type ChildProcess } from 'node:child_process'

/**
 * A forked server; `port` stays the same across `kill()`/`respawn()`. Subclasses start it (with
 * `spawnServer`) and name its controls.
 */
export class ForkedServer<Counts> {
  #child: ChildProcess
  #nextId = 0

  protected constructor(
    private readonly script: string,
    readonly name: string,
    readonly port: number,
    child: ChildProcess,
  ) {
    this.#child = child
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

  /** Kills it (if running) and starts it again on the same port with `args`. */
  protected async respawn(args: readonly string[]): Promise<void> {
    await this.kill()
    this.#child = (await spawnServer(this.script, this.name, args, this.port)).child
  }

  /** Sends `{ id, ...message }`; resolves with the counts of the answer. */
  protected control(message: object): Promise<Counts> {
    const id = this.#nextId++
    const child = this.#child
    return new Promise((resolve, reject) => {
      const onMessage = (m: { id?: number; counts?: Counts }): void => {
        if (m.id !== id || m.counts === undefined) return
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(m.counts)
      }
      const onExit = (): void => reject(new Error(`${this.name} exited`))
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send({ id, ...message }, (e) => {
        if (e !== null) reject(e)
      })
    })
  }
}

/**
 * Forks `script` with `args` and `--port` (0: the kernel chooses); resolves with the child once
 * it listens, and the port it bound. `name` is for messages.
 */
export async function spawnServer(
  script: string,
  name: string,
  args: readonly string[],
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(script, [...args, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const bound = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) at start`)))
    child.once('message', (m: { port: number }) => resolve(m.port))
  })
  child.removeAllListeners('exit')
  child.removeAllListeners('error')
  return { child, port: bound }
}
