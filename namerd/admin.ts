import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
import { AuthError } from '../lib/auth/bearer.js'
import type { Guard } from '../lib/auth/identity.js'
import { requireBearer } from '../lib/auth/fastify.js'
import { errorMessage } from '../lib/errors.js'
import { isLoopback } from '../lib/ip.js'
import { nullLog, type Log } from '../lib/log.js'
import type { ServerTlsConfig } from '../lib/tls/server-config.js'
import { openServerTls } from '../lib/tls/server.js'
import { pageRoutes } from '../lib/admin/pages.js'
import type { ApiContext } from './api/context.js'
import { statusOf } from './api/errors.js'
import { apiRoutes, MAX_PARAM_LENGTH, READ_METHODS } from './api/server.js'
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
  /** The token `POST /admin/shutdown` needs (`admin.auth.control`); absent: open. */
  readonly control?: Guard | undefined
  /**
   * An API interface's context: its routes are served here too, under the same guards, so
   * that the admin's dtab pages can read and write on their own origin.
   */
  readonly api?: ApiContext | undefined
}

/** namerd admin's page (ui/namerd/): the namespaces, their dtabs, an editor, the history. */
export const NAMERD_PAGES = [{ path: '/', title: 'namerd: dtabs', script: 'namespaces' }] as const

/**
 * namerd's admin server (default 127.0.0.1:9991): ping, ready, metrics, config, shutdown, the
 * dtab pages and, with an API interface, the API's routes for them.
 */
export async function startNamerdAdmin(o: NamerdAdminOptions): Promise<Listening> {
  const tls = o.tls === undefined ? undefined : await openServerTls(o.tls, o.log ?? nullLog)
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    https: tls?.options ?? null,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  }) as unknown as FastifyInstance
  app.setErrorHandler((e: FastifyError, _req, reply) => {
    // fastify's own 4xx (a bad content type, say) keep their status; ours come from statusOf.
    const status = e.statusCode !== undefined && e.statusCode < 500 ? e.statusCode : statusOf(e)
    reply
      .code(status)
      .type('text/plain')
      .send(status === 500 ? 'internal error\n' : `${errorMessage(e)}\n`)
  })
  healthRoutes(app, o)
  app.get('/admin/metrics/prometheus', async (_req, reply) => {
    reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics())
  })
  app.get('/config.json', async () => redactSecrets(o.config))
  const onRequest = o.control === undefined ? [] : [requireBearer(o.control)]
  app.post('/admin/shutdown', { onRequest }, async (_req, reply) => {
    reply.type('text/plain').send('shutting down\n')
    setImmediate(o.shutdown)
  })
  pageRoutes(app, NAMERD_PAGES)
  const api = pagesApi(o)
  // Encapsulated: the API's body parsing, error texts and guards apply to its routes only.
  if (api !== undefined) {
    await app.register(async (scope) => {
      scope.addHook('onRequest', ownPagesWrite)
      apiRoutes(scope, api, o.log)
    })
  }
  return listen(app, o.ip, o.port, tls)
}

/**
 * The API the admin serves for its pages: the interface's, unless the admin listens beyond
 * loopback and the API's writes are open (an API kept on loopback for safety must not become
 * writable from the network through the admin's port, opened for metrics, say).
 */
function pagesApi(o: NamerdAdminOptions): ApiContext | undefined {
  if (o.api === undefined) return undefined
  return isLoopback(o.ip) || o.api.auth?.writes !== undefined ? o.api : undefined
}

/**
 * Writes through the admin come from its own page or from programs, never from a page of
 * another site: a browser sends a form or a `no-cors` POST anywhere without asking (no
 * preflight), and with writes open it needs no token. Browsers say where a request comes from
 * (`Sec-Fetch-Site`, `Origin`); programs send neither.
 */
async function ownPagesWrite(req: FastifyRequest): Promise<void> {
  if (READ_METHODS.has(req.method)) return
  const site = req.headers['sec-fetch-site']
  const origin = req.headers.origin
  const sameSite = site === undefined || site === 'same-origin' || site === 'none'
  if (sameSite && (origin === undefined || hostOf(origin) === req.headers.host)) return
  throw new AuthError(
    'ERR_FORBIDDEN',
    `a write from another site (${origin ?? site ?? 'unknown'}) is refused: namerd's admin takes writes from its own page`,
  )
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}

const SECRET_KEYS = new Set(['password', 'authInfo', 'auth', 'keyPath', 'token'])

/**
 * The config with credential values replaced by "<redacted>" (secrets are never shown). An
 * `auth` object is our token settings (a path or a variable's name, never a token: the config
 * refuses one) and is shown, its members still redacted by name.
 */
export function redactSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactSecrets)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, isSecret(k, x) ? '<redacted>' : redactSecrets(x)]),
  )
}

function isSecret(key: string, value: unknown): boolean {
  const tokenSettings = key === 'auth' && typeof value === 'object' && value !== null
  return SECRET_KEYS.has(key) && !tokenSettings
}
