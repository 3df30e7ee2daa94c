import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  Binding,
  EMPTY_DTAB,
  addrToJson,
  boundTreeToJson,
  boundsOf,
  readDtab,
  readPath,
  showDtab,
  showPath,
  type Activity,
  type BoundLeaf,
  type Dtab,
  type NameTree,
  type Path,
  type Var,
} from '../../dtabs/index.js'
import { errorCode, errorMessage } from '../../lib/errors.js'
import { pickLeaf } from '../../dtabs/pick.js'
import type { ApiContext } from './context.js'
import { namespaceOf } from './dtabs-routes.js'
import { ApiError } from './errors.js'
import type { WatchFeeds } from './feeds.js'
import { firstDocument, rendered, type Rendered } from './live.js'
import { isWatch, param, type Query } from './query.js'
import { streamWatch } from './watch.js'

type NsRequest = FastifyRequest<{ Params: { ns: string }; Querystring: Query }>

/**
 * What a request asks for: `key` names it canonically (watch streams with the same key share one
 * feed), `make` builds its live document. Building the view checks the request (400s).
 */
interface View {
  readonly key: string
  readonly make: () => Var<Rendered>
}

/** `/api/1/bind`, `addr`, `resolve`, `delegate` and `bound-names`. */
export function namesRoutes(app: FastifyInstance, cx: ApiContext, feeds: WatchFeeds): void {
  const serve =
    (route: string, viewOf: (req: NsRequest) => View, type?: string) =>
    async (req: NsRequest, reply: FastifyReply): Promise<void> => {
      const view = viewOf(req)
      if (isWatch(req.query)) {
        const source = feeds.feed(`${route}\n${view.key}`, view.make)
        return streamWatch(reply, { route, contentType: type, source, ...cx.watch })
      }
      const doc = await firstDocument(view.make(), cx.bindTimeoutMs, () =>
        pendingTooLong(route, cx.bindTimeoutMs),
      )
      if (type !== undefined) reply.type(type)
      reply.send(`${doc}\n`)
    }
  app.get(
    '/api/1/bind/:ns',
    serve('bind', (req) => bindView(cx, req, 'bind')),
  )
  app.get(
    '/api/1/resolve/:ns',
    serve('resolve', (req) => bindView(cx, req, 'resolve'), 'application/json'),
  )
  app.get(
    '/api/1/addr/:ns',
    serve('addr', (req) => addrView(cx, req)),
  )
  app.get('/api/1/delegate/:ns', (req: NsRequest) => delegate(cx, req, namespaceOf(req)))
  app.get('/api/1/delegate', (req: NsRequest) => delegate(cx, req, undefined))
  app.get(
    '/api/1/bound-names',
    serve('bound-names', () => ({ key: '', make: () => boundNamesView(cx) }), 'application/json'),
  )
}

function bindView(cx: ApiContext, req: NsRequest, what: 'bind' | 'resolve'): View {
  const ns = namespaceOf(req)
  const path = pathOf(req.query)
  const local = dtabOf(req.query)
  return {
    key: `${ns}\n${showDtab(local)}\n${showPath(path)}`,
    make: () => bound(cx, cx.namespaces.bind(ns, local, path), local, what),
  }
}

function bound(
  cx: ApiContext,
  binding: Activity<NameTree<BoundLeaf>>,
  local: Dtab,
  what: 'bind' | 'resolve',
): Var<Rendered> {
  return rendered((deps) => {
    deps.push(binding)
    const state = binding.get()
    if (state.type !== 'ok') {
      if (state.type === 'failed') throw overBudget(state.error, local)
      return undefined
    }
    const bounds = boundsOf(state.value)
    for (const b of bounds) {
      deps.push(b.addr)
      if (b.addr.get().type === 'pending') return undefined
      cx.boundNames.add(showPath(b.id))
    }
    if (what === 'bind') return JSON.stringify(boundTreeToJson(state.value))
    const leaf = pickLeaf(state.value)
    return JSON.stringify(leaf === undefined ? { type: 'neg' } : addrToJson(leaf.bound.addr.get()))
  })
}

function addrView(cx: ApiContext, req: NsRequest): View {
  namespaceOf(req)
  const id = withoutTransformers(pathOf(req.query))
  return { key: showPath(id), make: () => addrOf(cx, id) }
}

function addrOf(cx: ApiContext, id: Path): Var<Rendered> {
  const { namers, maxNodes } = cx.namespaces
  const binding = new Binding({ dtab: EMPTY_DTAB, namers, maxNodes }, id)
  return rendered((deps) => {
    deps.push(binding)
    const state = binding.get()
    if (state.type === 'failed') throw state.error
    if (state.type === 'pending') return undefined
    const tree = state.value
    if (tree.type === 'empty') return JSON.stringify({ type: 'bound', addrs: [], meta: {} })
    if (tree.type === 'neg') return JSON.stringify({ type: 'neg' })
    if (tree.type !== 'leaf')
      throw new ApiError(
        'ERR_API_INPUT',
        `${showPath(id)} is not a bound id (it binds to a ${tree.type})`,
      )
    const addr = tree.value.bound.addr
    deps.push(addr)
    if (addr.get().type === 'pending') return undefined
    cx.boundNames.add(showPath(tree.value.bound.id))
    return JSON.stringify(addrToJson(addr.get()))
  })
}

function boundNamesView(cx: ApiContext): Var<Rendered> {
  const names = cx.boundNames.names
  return rendered((deps) => {
    deps.push(names)
    return JSON.stringify(names.get())
  })
}

async function delegate(cx: ApiContext, req: NsRequest, ns: string | undefined): Promise<string> {
  const path = pathOf(req.query)
  const dtab = dtabOf(req.query)
  const interpreter = ns === undefined ? cx.namespaces.standalone() : cx.namespaces.interpreter(ns)
  try {
    return `${JSON.stringify(await interpreter.delegate(dtab, path))}\n`
  } catch (e) {
    throw overBudget(e, dtab)
  }
}

const BUDGET_CODES = new Set(['ERR_BIND_TOO_LARGE', 'ERR_DELEGATION_TOO_LARGE'])

/**
 * A bind or delegation past `bindingNodeLimit` is the client's fault (400) when the request
 * brought a dtab of its own; with the stored dtab alone it keeps its code (502, 503).
 */
function overBudget(e: unknown, local: Dtab): unknown {
  if (local.length === 0 || !BUDGET_CODES.has(errorCode(e) ?? '')) return e
  return new ApiError(
    'ERR_OVERRIDE_BIND_TOO_LARGE',
    `${errorMessage(e)} (with the request's dtab)`,
    {
      cause: e,
    },
  )
}

/** An id without its leading `/%/…` transformer elements (up to the first `#` or `$`). */
function withoutTransformers(id: Path): Path {
  if (id[0] !== '%') return id
  const at = id.findIndex((e) => e === '#' || e === '$')
  return at === -1 ? id : id.slice(at)
}

function pathOf(query: Query): Path {
  const p = param(query, 'path') ?? ''
  try {
    return readPath(p)
  } catch (e) {
    throw new ApiError('ERR_API_INPUT', `Invalid path: ${p} / ${errorMessage(e)}`, { cause: e })
  }
}

function dtabOf(query: Query): Dtab {
  const d = param(query, 'dtab')
  if (d === undefined || d === '') return EMPTY_DTAB
  try {
    return readDtab(d)
  } catch (e) {
    throw new ApiError('ERR_API_INPUT', `Invalid dtab: ${errorMessage(e)}`, { cause: e })
  }
}

function pendingTooLong(route: string, ms: number): Error {
  return new ApiError(
    'ERR_BINDING_TIMEOUT',
    `${route}: still pending after ${ms} ms (a namer or address is not ready)`,
  )
}
