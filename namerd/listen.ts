import type { FastifyInstance } from 'fastify'
import type { Server as HttpsServer } from 'node:https'
import type { ServerTls, TlsServerHooks } from '../lib/tls/server.js'

/** A listening fastify server; `close()` also drops open connections (watch streams). */
export interface Listening {
  readonly port: number
  close(): Promise<void>
}

/**
 * Listens on `ip:port` (0: a free port); on failure the app (and `tls`) is closed and the error
 * thrown. An app built with `tls.options` follows its rotations, and stops watching its files
 * when closed.
 */
export async function listen(
  app: FastifyInstance,
  ip: string,
  port: number,
  tls?: ServerTls,
  hooks?: TlsServerHooks,
): Promise<Listening> {
  try {
    await app.listen({ host: ip, port })
  } catch (e) {
    tls?.close()
    await app.close()
    throw e
  }
  const bound = app.server.address()
  const actual = typeof bound === 'object' && bound !== null ? bound.port : port
  if (tls === undefined) return { port: actual, close: () => app.close() }
  tls.attach(app.server as unknown as HttpsServer, hooks)
  return { port: actual, close: () => (tls.close(), app.close()) }
}
