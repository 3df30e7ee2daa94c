/**
 * The Echo backend as a child process (echo-main.ts): started, asked for its counts over IPC,
 * SIGKILLed and started again on the same port. Stopped in `t.teardown` by `echoBackends`; a
 * child also exits by itself when its parent goes away.
 */
import type { ExecutionContext } from 'ava'
import { ForkedServer, spawnServer } from '../forked-server.js'
import { repoPath } from '../paths.js'
import type { EchoCounts } from './echo-backend.js'

const script = repoPath('dist/testing/grpc/echo-main.js')

/** An Echo backend process; `port` stays the same across `kill()`/`restart()`. */
export class EchoProcess extends ForkedServer<EchoCounts> {
  /** Forks the backend and resolves once it listens (on `port`, else one the kernel picks). */
  static async start(name: string, port = 0): Promise<EchoProcess> {
    const started = await spawnServer(script, `echo backend ${name}`, ['--name', name], port)
    return new EchoProcess(script, name, started.port, started.child)
  }

  /** Starts it again on the same port, counters at zero. */
  restart(): Promise<void> {
    return this.respawn(['--name', this.name])
  }

  /** What the backend saw since it (last) started. */
  counts(): Promise<EchoCounts> {
    return this.control({})
  }
}

/** Echo processes named `names`, killed when the test ends. */
export async function echoBackends(
  t: ExecutionContext,
  ...names: string[]
): Promise<EchoProcess[]> {
  const started = await Promise.all(names.map((name) => EchoProcess.start(name)))
  t.teardown(() => Promise.all(started.map((b) => b.kill())))
  return started
}
