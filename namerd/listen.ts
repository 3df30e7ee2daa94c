import type { FastifyInstance } from 'fastify'

/** A listening fastify server; `close()` also drops open connections (watch streams). */
export interface Listening {
  readonly port: number
  close(): Promise<void>
}

/** Listens on `ip:port` (0: a free port); on failure the app is closed and the error thrown. */
export async function listen(app: FastifyInstance, ip: string, port: number): Promise<Listening> {
  try {
    await app.listen({ host: ip, port })
  } catch (e) {
    await app.close()
    throw e
  }
  const bound = app.server.address()
  const actual = typeof bound === 'object' && bound !== null ? bound.port : port
  return { port: actual, close: () => app.close() }
}
