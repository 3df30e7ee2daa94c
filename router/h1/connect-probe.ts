/**
 * failFast's probe of a down endpoint (router/accrual): can a TCP connection be made? The socket
 * is closed as soon as it connects; nothing is sent.
 */
import { connect } from 'node:net'

/** How long a probe's connect may take before it counts as failed (docs/limits.md). */
export const CONNECT_PROBE_TIMEOUT_MS = 5_000

/** Resolves true when `host`:`port` accepted a TCP connection within `timeoutMs`; never rejects. */
export function connectProbe(
  host: string,
  port: number,
  timeoutMs = CONNECT_PROBE_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const end = (connected: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(connected)
    }
    const timer = setTimeout(() => end(false), timeoutMs).unref()
    socket.once('connect', () => end(true))
    socket.once('error', () => end(false))
  })
}
