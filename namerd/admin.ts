import Fastify, { type FastifyInstance } from 'fastify'
import type { Server as HttpsServer } from 'node:https'
import { nullLog, type Log } from '../lib/log.js'
import type { ServerTlsConfig } from '../lib/tls/server-config.js'
import { openServerTls } from '../lib/tls/server.js'
import { healthRoutes } from '../lib/admin/health.js'
import { listen, type Listening } from './listen.js'
import type { NamerdMetrics } from './metrics.js'

export interface NamerdAdminOptions {
  readonly ip: string
  readonly port: number
  /** Ready once every interface listens and the store has been read once. */
  readonly isReady: () => boolean
  readonly metrics: NamerdMetrics
  /** The loaded config, echoed by `/config.json` (storage secrets removed). */
  readonly config: unknown
  /** Called after `POST /admin/shutdown` has answered. */
  readonly shutdown: () => void
  /** Serve HTTPS with these files (`admin.tls`), kept current when they change. */
  readonly tls?: ServerTlsConfig
  /** Where TLS file reloads are reported. */
  readonly log?: Log
}

/** namerd's admin server (default 127.0.0.1:9991): ping, ready, metrics, config, shutdown. */
export async function startNamerdAdmin(o: NamerdAdminOptions): Promise<Listening> {
  const tls = o.tls === undefined ? undefined : await openServerTls(o.tls, o.log ?? nullLog)
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    https: tls?.options ?? null,
  }) as unknown as FastifyInstance
  healthRoutes(app, o)
  app.get('/admin/metrics/prometheus', async (_req, reply) => {
    reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics())
  })
  app.get('/config.json', async () => redactSecrets(o.config))
  app.post('/admin/shutdown', async (_req, reply) => {
    reply.type('text/plain').send('shutting down\n')
    setImmediate(o.shutdown)
  })
  const listening = await listen(app, o.ip, o.port).catch((e: unknown) => {
    tls?.close()
    throw e
  })
  if (tls === undefined) return listening
  tls.attach(app.server as unknown as HttpsServer)
  return { ...listening, close: () => (tls.close(), listening.close()) }
}

const SECRET_KEYS = new Set(['password', 'authInfo', 'auth', 'keyPath', 'token'])

/** The config with credential values replaced by "<redacted>" (secrets are never shown). */
export function redactSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactSecrets)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, SECRET_KEYS.has(k) ? '<redacted>' : redactSecrets(x)]),
  )
}
