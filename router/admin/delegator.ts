import type { FastifyInstance, FastifyReply } from 'fastify'
import { AdminError } from './errors.js'
import type { ClientStateSource } from './client-state.js'
import type { DtabSource } from './dtabs.js'
import type { InterpreterStateSource } from './interpreter-state.js'
import { refuseOtherMethods } from './methods.js'

/** What the admin server needs of a router: its label, a delegation explainer, its watches. */
export interface AdminRouter extends InterpreterStateSource, ClientStateSource, DtabSource {
  readonly label: string
  /**
   * Explains how `path` binds with the router's dtab plus `dtab` (appended), as linkerd's
   * `/delegator.json` does: `{status: 200, body: tree}`, or `{status: 400, body: 'Invalid
   * dtab: …'}` etc. A string body is sent as text/plain, anything else as JSON.
   */
  delegate(dtab: string, path: string): Promise<{ status: number; body: unknown }>
}

interface DelegatorDeps {
  readonly routers: readonly AdminRouter[]
  readonly timeoutMs: number
}

/**
 * `GET /delegator.json?path=…&dtab=…&namespace=<router label>` and `POST /delegator.json` with
 * an application/json body `{namespace, dtab, path}` (415 for another content type; 405 for
 * other methods). No namespace means the first router; an unknown one is a 404. An explanation
 * taking longer than `timeoutMs` (2 s) answers 503 `Request timed out.`.
 */
export function delegatorRoutes(app: FastifyInstance, deps: DelegatorDeps): void {
  app.get('/delegator.json', async function delegatorGet(req, reply) {
    const q = req.query as Record<string, unknown>
    const { status, body } = await explain(deps, {
      namespace: first(q['namespace']),
      dtab: first(q['dtab']),
      path: first(q['path']),
    })
    return send(reply, status, body)
  })
  app.post('/delegator.json', async function delegatorPost(req, reply) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') {
      throw new AdminError('ERR_ADMIN_MEDIA_TYPE', 'delegator.json takes application/json')
    }
    const { status, body } = await explain(deps, readBody(req.body))
    return send(reply, status, body)
  })
  refuseOtherMethods(app, '/delegator.json', ['GET', 'POST'])
}

interface Question {
  readonly namespace?: string | undefined
  readonly dtab?: string | undefined
  readonly path?: string | undefined
}

async function explain(
  deps: DelegatorDeps,
  q: Question,
): Promise<{ status: number; body: unknown }> {
  if (q.path === undefined) {
    throw new AdminError('ERR_ADMIN_BAD_REQUEST', 'Invalid path: the "path" parameter is missing')
  }
  const router =
    q.namespace === undefined ? deps.routers[0] : deps.routers.find((r) => r.label === q.namespace)
  if (router === undefined) {
    const which =
      q.namespace === undefined ? 'no router is configured' : `no router "${q.namespace}"`
    throw new AdminError('ERR_ADMIN_NOT_FOUND', `Unknown namespace: ${which}`)
  }
  return withTimeout(router.delegate(q.dtab ?? '', q.path), deps.timeoutMs)
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new AdminError('ERR_ADMIN_TIMEOUT', 'Request timed out.')), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

function readBody(body: unknown): Question {
  const fields = ['namespace', 'dtab', 'path'] as const
  const o = (typeof body === 'object' && body !== null ? body : undefined) as
    Record<string, unknown> | undefined
  const bad =
    o === undefined ||
    typeof o['path'] !== 'string' ||
    fields.some((k) => o[k] != null && typeof o[k] !== 'string')
  if (bad) {
    throw new AdminError(
      'ERR_ADMIN_BAD_REQUEST',
      `Malformed delegation request: ${JSON.stringify(body) ?? ''}`,
    )
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
  return { namespace: str(o['namespace']), dtab: str(o['dtab']), path: str(o['path']) }
}

function first(v: unknown): string | undefined {
  const x = Array.isArray(v) ? (v as unknown[])[0] : v
  return typeof x === 'string' ? x : undefined
}

/** A string body as text/plain (linkerd's error texts), anything else as JSON. */
function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  const text = typeof body === 'string'
  return reply
    .code(status)
    .type(text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8')
    .send(text ? body : JSON.stringify(body ?? null))
}
