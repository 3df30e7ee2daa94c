import { BearerGuard } from '../lib/auth/bearer.js'
import type { Protection } from '../lib/auth/config.js'
import { IdentityGuard, type Guard } from '../lib/auth/identity.js'
import { startNamers } from '../namers/index.js'
import type { Log } from '../lib/log.js'
import { BoundNames } from './api/bound-names.js'
import type { ApiContext } from './api/context.js'
import { startApi, type ApiServer } from './api/server.js'
import type { NamerdConfig } from './config.js'
import { NamerdMetrics } from './metrics.js'
import { Namespaces } from './namespaces.js'
import { DtabStore } from './storage/dtab-store.js'

/** A running namerd: its store, namers and API servers; `close()` stops them all. */
export interface RunningNamerd {
  readonly store: DtabStore
  readonly metrics: NamerdMetrics
  readonly apis: readonly ApiServer[]
  /**
   * The first interface's API context (its store, guards, metrics) for the admin pages; none
   * when that interface takes only clients with a certificate (`tls.requireClientAuth`).
   */
  readonly api: ApiContext | undefined
  close(): Promise<void>
}

/**
 * Opens the store, starts the namers and every interface. Whatever was opened is closed again
 * if a later step fails (a port in use, say).
 */
export async function startNamerd(config: NamerdConfig, log: Log): Promise<RunningNamerd> {
  const backend = config.storage.make({ log, historySize: config.dtabHistorySize })
  const metrics: NamerdMetrics = new NamerdMetrics(() => store.reachable)
  const store = new DtabStore(backend, {
    onOperation: (op, outcome) => metrics.storeOperation(op, outcome),
  })
  const namers = startNamers(config.namers)
  const namespaces = new Namespaces(store, namers.namers, { maxNodes: config.bindingNodeLimit })
  const apis: ApiServer[] = []
  const contexts: ApiContext[] = []
  const boundNames = new BoundNames()
  const guards: BearerGuard[] = []
  const guard = (p: Protection | undefined): Guard | undefined => {
    if (p === undefined) return undefined
    const token =
      p.token === undefined
        ? undefined
        : new BearerGuard(p.token, { onReloadError: (message) => log.warn(message) })
    if (token !== undefined) guards.push(token)
    return p.identities === undefined ? token : new IdentityGuard(p.identities, token)
  }
  const close = async (): Promise<void> => {
    for (const g of guards) g.close()
    await Promise.all(apis.map((a) => a.close()))
    namespaces.close()
    namers.close()
    await store.close()
  }
  try {
    for (const i of config.interfaces) {
      const cx: ApiContext = {
        store,
        namespaces,
        watch: {
          heartbeatMs: i.heartbeatMs,
          maxBacklogBytes: i.maxWatchBacklogKB * 1024,
          metrics,
        },
        bindTimeoutMs: 10_000,
        boundNames,
        auth: { writes: guard(i.auth.writes), reads: guard(i.auth.reads) },
      }
      contexts.push(cx)
      apis.push(await startApi(cx, i, log))
    }
  } catch (e) {
    await close()
    throw e
  }
  // The admin's connections carry no client certificate: an API that requires one stays off it.
  const first = config.interfaces[0]?.tls?.requireClientAuth === true ? undefined : contexts[0]
  return { store, metrics, apis, api: first, close }
}
