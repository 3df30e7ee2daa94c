import type { FastifyInstance } from 'fastify'
import type { BearerGuard } from '../../lib/auth/bearer.js'
import { requireBearer } from '../../lib/auth/fastify.js'
import { AdminError } from './errors.js'
import { refuseOtherMethods } from './methods.js'

/**
 * `POST /admin/shutdown[?grace=10.seconds]`: answers `quitting\n`, then, once the answer is
 * written, calls `shutdown(graceMs)` (graceMs undefined without `grace`). Other methods: 405.
 * A bad `grace` is a 400 and shuts nothing down. With a `guard` (`admin.auth.control`), a
 * request without its token is a 401 or 403 and shuts nothing down.
 */
export function shutdownRoutes(
  app: FastifyInstance,
  deps: {
    shutdown: (graceMs?: number) => void
    onError: (e: unknown) => void
    guard?: BearerGuard | undefined
  },
): void {
  const onRequest = deps.guard === undefined ? [] : [requireBearer(deps.guard)]
  app.post('/admin/shutdown', { onRequest }, function shutdown(req, reply) {
    const raw = (req.query as Record<string, unknown>)['grace']
    const graceMs = raw === undefined ? undefined : parseGrace(raw)
    reply.raw.once('finish', () => {
      try {
        deps.shutdown(graceMs)
      } catch (e) {
        deps.onError(e)
      }
    })
    return reply.type('text/plain; charset=utf-8').send('quitting\n')
  })
  refuseOtherMethods(app, '/admin/shutdown', ['POST'])
}

const UNIT_MS: Readonly<Record<string, number>> = {
  nanosecond: 1e-6,
  microsecond: 1e-3,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
}

/** A twitter-util duration as linkerd takes it: `10.seconds`, `500.milliseconds`, `1.minute`. */
export function parseGrace(raw: unknown): number {
  const m = typeof raw === 'string' ? /^(\d+)\.([a-z]+?)s?$/.exec(raw.trim()) : null
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]]
  if (m === null || unit === undefined) {
    throw new AdminError(
      'ERR_ADMIN_BAD_REQUEST',
      `could not parse 'grace' parameter: ${String(raw)} is not a valid duration`,
    )
  }
  return Number(m[1]) * unit
}
