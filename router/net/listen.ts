/**
 * What every transport's server shares: the shape a router's started server has, and listening
 * with a clear error when the address cannot be had.
 */
import type { Server } from 'node:net'
import { CodedError } from '../../lib/errors.js'

/** A listening server of a router. `close()` drains it (graceful, within `graceMs`). */
export interface RouterServer {
  readonly address: { readonly ip: string; readonly port: number }
  close(graceMs?: number): Promise<void>
}

/** The server could not listen (address in use, not permitted, not an address of this host). */
export class ListenError extends CodedError {
  readonly code = 'ERR_LISTEN'
}

/** Listens on `ip:port`; later server errors (EMFILE on accept) are reported, never thrown. */
export function listen(server: Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.message
      reject(new ListenError(`cannot listen on ${ip}:${port}: ${why}`, { cause: e }))
    })
    server.listen(port, ip, () => {
      server.removeAllListeners('error')
      // Later server errors (e.g. EMFILE on accept) must not crash the router: report them.
      server.on('error', (e) => process.emitWarning(e))
      resolve()
    })
  })
}
