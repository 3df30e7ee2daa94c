/**
 * One request's trip through the router, whatever protocol brought it: what the transport
 * received (`RequestIn`), which server it came through, and what routing decided on the way
 * (name, binding, client, endpoint). The steps of the routing core read and fill it in; one
 * plain object per request, no per-step allocation.
 */
import type { Readable } from 'node:stream'
import type { Bound, BoundLeaf, NameTree, Path } from '../../dtabs/index.js'
import type { ServerStats, ServiceStats } from '../metrics/index.js'
import type { Endpoint, RequestHead } from '../model.js'
import type { UpstreamClient } from './clients.js'
import { viaEntry, type InboundHead } from './headers.js'
import { NO_LOCAL_DTAB, type LocalDtab } from './local-dtab.js'
import type { LiteralPolicy } from './override-literals.js'
import { DEFAULT_POLICY, type ServicePolicy, type ServiceRetries } from './service-policy.js'

/** What the core needs of a received request. */
export interface RequestIn extends RequestHead {
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  /** The body, as a stream made on first use (an upstream transport reads it). */
  readonly body: Readable
  /**
   * A body follows whatever the headers say, its length unknown unless `content-length` gives
   * it (an HTTP/2 request whose HEADERS frame did not end the stream).
   */
  readonly bodyFollows?: boolean
}

/** The server a request came through: its settings and its stats. */
export interface ServerContext {
  /** Drop every `l5d-*` header both ways and answer errors without detail (an untrusted edge). */
  readonly clearContext: boolean
  /** Whom overrides naming literal addresses are taken from (absent: `loopback`). */
  readonly literalOverrides?: LiteralPolicy
  readonly stats: ServerStats
  /** Calls in flight beyond which a new one is refused with 503 (no queue), if limited. */
  readonly maxConcurrentRequests?: number
  /** Calls of this server in flight now (kept by the admission step when limited). */
  active: number
}

const NO_PATH: Path = Object.freeze([])

const NO_HEAD: InboundHead = Object.freeze({
  headers: [],
  host: undefined,
  via: undefined,
  ctxDtab: undefined,
  userDtab: undefined,
  deadline: undefined,
  hasBody: false,
  bodyLength: 0,
})

/** See the file header. Fields below `request` are set by the steps, in order. */
export class Call {
  /** When the call began (`performance.now()`). */
  readonly started = performance.now()
  /** The request as the context step read it: headers to forward, Via, overrides. */
  inbound: InboundHead = NO_HEAD
  /** This router's `Via` entry, e.g. `1.1 linkerd`. */
  via: string
  local: LocalDtab = NO_LOCAL_DTAB
  /** The logical name (`/svc/users`) and its show form. */
  dst: Path = NO_PATH
  name = ''
  /** The target and `Host` to send (absolute-form URLs become origin-form). */
  url: string
  host: string | undefined = undefined
  service: ServiceStats | undefined = undefined
  /** The service's settings (timeout, classifier, retries) and retry state. */
  policy: ServicePolicy = DEFAULT_POLICY
  retries: ServiceRetries | undefined = undefined
  /**
   * When the caller stops waiting (epoch ms): the earlier of a received `l5d-ctx-deadline`
   * and the service's `totalTimeoutMs` from now; propagated to the next router.
   */
  deadline: number | undefined = undefined
  /** The body to send (kept whole when it may be sent again), once the retry step set it. */
  body: Readable | Buffer | null = null
  /** The bound tree of the name, once its binding is ready. */
  tree: NameTree<BoundLeaf> | undefined = undefined
  /** The leaf picked for this call, and its client. */
  bound: Bound | undefined = undefined
  client: UpstreamClient | undefined = undefined
  /** The headers to send: the forwarded ones, then `Host` and linkerd's (the stamp step). */
  headers: string[] | undefined = undefined
  /** The endpoint the balancer chose. */
  endpoint: Endpoint | undefined = undefined
  /** On a retry, the endpoint the failed attempt went to: the balancer takes another if it can. */
  avoid: Endpoint | undefined = undefined
  /** Requeues of this call so far, over all its attempts (bounded per request). */
  requeues = 0
  /** Why the router answered with an error (its code), for `failures/<code>`. */
  failure: string | undefined = undefined

  constructor(
    readonly request: RequestIn,
    readonly server: ServerContext,
    /** `1.1`, `1.0`, `2`: the Via protocol of this request. */
    version: string,
  ) {
    this.via = viaEntry(version)
    this.url = request.url
  }
}
