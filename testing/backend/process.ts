/**
 * The controllable backend as a child process (`main.ts`): started, controlled over IPC,
 * SIGKILLed and started again on the same port. The caller stops it (`stop()`); a child also
 * exits by itself when its parent goes away.
 */
import { ForkedServer, spawnServer } from '../forked-server.js'
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
export class BackendProcess extends ForkedServer<Counts> {
  /** Forks the backend and resolves once it listens. */
  static async start(options: BackendProcessOptions): Promise<BackendProcess> {
    const { name, mode } = options
    const { child, port } = await spawnServer(
      script,
      `backend ${name}`,
      argsOf(name, mode),
      options.port ?? 0,
    )
    return new BackendProcess(script, name, port, child)
  }

  /** Starts it again on the same port (in `ok` mode, counters at zero) once killed. */
  restart(mode?: Mode): Promise<void> {
    return this.respawn(argsOf(this.name, mode))
  }

  /** Sets the mode; resolves once the backend applied it. */
  setMode(mode: Mode): Promise<Counts> {
    return this.control({ mode })
  }

  /** The backend's counters (since it last started). */
  counts(): Promise<Counts> {
    return this.control({})
  }

  /** Ends the process (SIGKILL: nothing of its state is kept). */
  stop(): Promise<void> {
    return this.kill()
  }
}

function argsOf(name: string, mode: Mode | undefined): string[] {
  return ['--name', name, ...(mode === undefined ? [] : ['--mode', JSON.stringify(mode)])]
}
