import type { Guard } from '../../lib/auth/identity.js'
import type { BoundNames } from './bound-names.js'
import type { Namespaces } from '../namespaces.js'
import type { DtabStore } from '../storage/dtab-store.js'
import type { WatchSettings } from './watch.js'

/** What the API handlers work with; the API owns none of it. */
export interface ApiContext {
  readonly store: DtabStore
  readonly namespaces: Namespaces
  /** Settings every watch stream shares. */
  readonly watch: WatchSettings
  /** Longest a request without `watch` waits for a binding or an address (default 10 s). */
  readonly bindTimeoutMs: number
  /** Bound ids served so far (`/api/1/bound-names`). */
  readonly boundNames: BoundNames
  /** What writes (POST, PUT, DELETE) and reads need (a token, a client certificate); absent: open. */
  readonly auth?: { readonly writes?: Guard | undefined; readonly reads?: Guard | undefined }
}
