import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { requireBearer } from '../../lib/auth/fastify.js'
import { errorMessage } from '../../lib/errors.js'
import { nullLog, type Log } from '../../lib/log.js'
import type { TlsOptions } from 'node:tls'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import { openServerTls } from '../../lib/tls/server.js'
import { listen, type Listening } from '../listen.js'
import type { ApiContext } from './context.js'
import { dtabsRoutes } from './dtabs-routes.js'
import { dryRunRoutes } from './dry-run-routes.js'
import { WatchFeeds } from './feeds.js'
import { ApiError, statusOf } from './errors.js'
import { historyRoutes } from './history-routes.js'
import { namesRoutes } from './names-routes.js'

/**
 * linkerd's `io.l5d.httpController` API as a fastify app, not listening (tests use
 * `inject()`): `apiRoutes`, and unknown paths 404 with an empty body, as in linkerd.
 */
export function buildApi(
  cx: ApiContext,
  log: Log = nullLog,
  https: TlsOptions | null = null,
): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    https,
  }) as unknown as FastifyInstance
  app.setNotFoundHandler((_req, reply) => reply.code(404).send())
  apiRoutes(app, cx, log)
  return app
}

/** The longest URL parameter (a namespace) the API's routes take. */
export const MAX_PARAM_LENGTH = 1000

/**
 * Every route of the API on `app` (the API server's, or namerd admin's for its pages, in its
 * own encapsulated context: `app.register`). Bodies are read as text whatever their type (at
 * most MAX_BODY_BYTES) and parsed by the handlers; errors are text bodies with the status
 * their code maps to (errors.ts); the token or identity the method needs is checked first.
 * Watch streams of the same thing share one feed (feeds.ts).
 */
export function apiRoutes(app: FastifyInstance, cx: ApiContext, log: Log = nullLog): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
    (_req, body, done) => done(null, body),
  )
  app.setErrorHandler((raw: FastifyError, req, reply) => {
    const e = raw.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? bodyTooLarge() : raw
    const status = e.statusCode !== undefined && e.statusCode < 500 ? e.statusCode : statusOf(e)
    if (status >= 500 && status !== 503) log.error('api request failed', { url: req.url, err: e })
    reply
      .code(status)
      .type('text/plain')
      .send(`${errorMessage(e)}\n`)
  })
  protectApi(app, cx.auth)
  app.addHook('onResponse', async (req, reply) => {
    cx.watch.metrics?.request(req.routeOptions.url ?? 'unknown', reply.statusCode)
  })
  const feeds = new WatchFeeds()
  dtabsRoutes(app, cx, feeds)
  historyRoutes(app, cx)
  dryRunRoutes(app, cx)
  namesRoutes(app, cx, feeds)
}

/**
 * Methods that only read (HEAD and OPTIONS follow GET); every other method writes, except on a
 * route whose config says `readOnly` (a dry run: a POST that changes nothing).
 */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Checks the token a request's method needs before anything else (body included) is read. */
function protectApi(app: FastifyInstance, auth: ApiContext['auth']): void {
  const reads = auth?.reads === undefined ? undefined : requireBearer(auth.reads)
  const writes = auth?.writes === undefined ? undefined : requireBearer(auth.writes)
  if (reads === undefined && writes === undefined) return
  app.addHook('onRequest', async (req, reply) => {
    const readOnly =
      (req.routeOptions.config as { readOnly?: boolean } | undefined)?.readOnly === true
    const check = READ_METHODS.has(req.method) || readOnly ? reads : writes
    await check?.(req, reply)
  })
}

/** 1 MiB: a dtab of about 1 MB as text (its JSON form is larger). */
export const MAX_BODY_BYTES = 1024 * 1024

/** fastify's 413, with our code and a message that names the limit. */
function bodyTooLarge(): FastifyError {
  return new ApiError(
    'ERR_API_BODY_TOO_LARGE',
    `request body larger than ${MAX_BODY_BYTES} bytes, namerd's limit (send a dtab as text: its JSON form is larger)`,
  )
}

/** A listening API server; `close()` also drops open watch streams. */
export type ApiServer = Listening

/** Where an API listens, and its TLS files if it serves HTTPS. */
export interface ApiListen {
  readonly ip: string
  readonly port: number
  readonly tls?: ServerTlsConfig | undefined
}

/**
 * Builds the API and listens. With `tls`, HTTPS: a client certificate is asked for when
 * `caCertPath` is set (an identity allow-list may need it) and required with
 * `requireClientAuth`; failed handshakes are counted and logged at debug level.
 */
export async function startApi(cx: ApiContext, where: ApiListen, log?: Log): Promise<ApiServer> {
  const config = where.tls
  if (config === undefined) return listen(buildApi(cx, log), where.ip, where.port)
  const tls = await openServerTls(config, log ?? nullLog)
  const options = { ...tls.options, requestCert: config.caCertPath !== undefined }
  const failed = (e: NodeJS.ErrnoException): void => {
    const code = e.code ?? 'unknown'
    cx.watch.metrics?.tlsHandshakeFailed(code)
    log?.debug('TLS handshake failed', { code, reason: e.message })
  }
  return listen(buildApi(cx, log, options), where.ip, where.port, tls, { failed })
}
