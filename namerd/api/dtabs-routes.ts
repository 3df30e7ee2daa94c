import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InvalidNamespaceError, validNamespace } from '../storage/errors.js'
import type { NsState } from '../storage/namespace-cache.js'
import type { Var } from '../../dtabs/index.js'
import { chooseMedia, decodeDtab, encodeDtab, type DtabMedia } from './dtab-codec.js'
import { ApiError } from './errors.js'
import type { WatchFeeds } from './feeds.js'
import { rendered, type Rendered } from './live.js'
import type { ApiContext } from './context.js'
import { writerOf } from './writer.js'
import { isWatch, type Query } from './query.js'
import { streamWatch } from './watch.js'

type NsRequest = FastifyRequest<{ Params: { ns: string }; Querystring: Query }>

/** The namespace in the URL, checked (400 for a bad one). */
export function namespaceOf(req: { params: { ns: string } }): string {
  const ns = req.params.ns
  if (!validNamespace(ns)) throw new InvalidNamespaceError(ns)
  return ns
}

/** `/api/1/dtabs`: list, read (JSON or text, ETag), watch, create, update (If-Match), delete. */
export function dtabsRoutes(app: FastifyInstance, cx: ApiContext, feeds: WatchFeeds): void {
  const list = async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    if (isWatch(req.query)) {
      const source = feeds.feed('dtabs', () => namesView(cx))
      return streamWatch(reply, {
        route: 'dtabs',
        contentType: 'application/json',
        source,
        ...cx.watch,
      })
    }
    reply.type('application/json').send(`${JSON.stringify(await cx.store.list())}\n`)
  }
  app.get('/api/1/dtabs', list)
  app.get('/api/1/dtabs/', list)
  app.get('/api/1/dtabs/:ns', (req: NsRequest, reply) => readDtab(cx, feeds, req, reply))
  app.post('/api/1/dtabs/:ns', async (req: NsRequest, reply) => {
    const ns = namespaceOf(req)
    const dtab = decodeDtab(bodyText(req), req.headers['content-type'])
    if ((await cx.store.create(ns, dtab, writerOf(req))) === 'exists')
      throw new ApiError('ERR_NAMESPACE_EXISTS', `dtab ${ns} already exists`)
    reply.code(204).send()
  })
  app.put('/api/1/dtabs/:ns', async (req: NsRequest, reply) => {
    const ns = namespaceOf(req)
    const dtab = decodeDtab(bodyText(req), req.headers['content-type'])
    const ifMatch = req.headers['if-match']
    const by = writerOf(req)
    if (ifMatch === undefined) await cx.store.put(ns, dtab, by)
    else {
      const out = await cx.store.update(ns, dtab, ifMatch, by)
      if (out === 'not-found') throw notFound(ns)
      if (out === 'version-mismatch')
        throw new ApiError(
          'ERR_VERSION_MISMATCH',
          `dtab ${ns} has changed since version ${ifMatch}`,
        )
    }
    reply.code(204).send()
  })
  app.delete('/api/1/dtabs/:ns', async (req: NsRequest, reply) => {
    const ns = namespaceOf(req)
    if ((await cx.store.delete(ns, writerOf(req))) === 'not-found') throw notFound(ns)
    reply.code(204).send()
  })
}

function namesView(cx: ApiContext): Var<Rendered> {
  const names = cx.store.observeNames()
  return rendered((deps) => {
    deps.push(names)
    const value = names.get()
    return value === undefined ? undefined : JSON.stringify(value)
  })
}

/** A namespace's dtab in `media`: encoded once per version, whoever watches it. */
function dtabView(cx: ApiContext, ns: string, media: DtabMedia): Var<Rendered> {
  const state = cx.store.observe(ns)
  return rendered((deps) => {
    deps.push(state)
    const s = state.get()
    return s.type === 'found' ? encodeDtab(s.dtab, media, s.version).slice(0, -1) : undefined
  })
}

async function readDtab(
  cx: ApiContext,
  feeds: WatchFeeds,
  req: NsRequest,
  reply: FastifyReply,
): Promise<void> {
  const ns = namespaceOf(req)
  const media = chooseMedia(req.headers.accept)
  if (isWatch(req.query) && req.method === 'GET') {
    const source = feeds.feed(`dtab ${media} ${ns}`, () => dtabView(cx, ns, media))
    return streamWatch(reply, { route: 'dtab', contentType: media, source, ...cx.watch })
  }
  const s: NsState = await cx.store.get(ns)
  if (s.type === 'absent') throw notFound(ns)
  if (s.type === 'invalid')
    throw new ApiError('ERR_STORED_DTAB_INVALID', `stored dtab ${ns} does not parse: ${s.error}`)
  if (s.type !== 'found') throw new Error(`unreachable: ${s.type}`)
  reply
    .header('etag', s.version)
    .type(media)
    .send(encodeDtab(s.dtab, media, s.version))
}

function notFound(ns: string): ApiError {
  return new ApiError('ERR_NAMESPACE_NOT_FOUND', `dtab ${ns} not found`)
}

/** The request body as text (the content-type parser reads every body as a string). */
export function bodyText(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : ''
}
