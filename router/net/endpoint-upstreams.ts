/**
 * The upstreams of a transport's connector (router/h1/pools.ts, router/h2/sessions.ts): one per
 * endpoint and per set of client settings. Clients whose settings are equal share theirs
 * (linkerd gives each client its own); the number is bounded, the least recently used closing
 * first, and a set of settings is forgotten with its last upstream.
 */
import type { Path } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { Endpoint } from '../model.js'

export interface EndpointUpstreamsOptions<O, S, U> {
  /** Most upstreams. */
  readonly capacity: number
  /** The settings of a client, by its bound id (undefined, or no client named: `none`). */
  readonly settingsFor?: ((clientId: Path) => O | undefined) | undefined
  /** The settings of a caller that names no client, or of a client with none. */
  readonly none: O
  /**
   * The settings made ready once per set of equal settings (files read, defaults applied); a
   * throw is the call's, and the set is prepared again on its next use.
   */
  readonly prepare: (settings: O) => S
  /** A new upstream to `e` with prepared settings. */
  readonly make: (e: Endpoint, prepared: S) => U
  /** Closes an upstream the bound evicts (letting its requests in flight finish). */
  readonly evicted: (upstream: U) => void
}

/** Clients whose settings are equal: their upstreams are keyed `prefix + endpoint key`. */
interface Group<S> {
  /** The settings as a key of `groups`. */
  readonly id: string
  readonly prepared: S
  readonly prefix: string
  /** How many upstreams the group has: it goes with its last one. */
  upstreams: number
}

interface Entry<S, U> {
  readonly upstream: U
  readonly group: Group<S>
}

export class EndpointUpstreams<O, S, U> {
  private readonly upstreams: Lru<string, Entry<S, U>>
  private readonly byClient = new WeakMap<Path, Group<S>>()
  /**
   * The groups that have upstreams: as many as the upstreams at most, though every templated
   * `commonName` makes settings of its own.
   */
  private readonly groups = new Map<string, Group<S>>()
  private unnamed: Group<S> | undefined
  /** Groups ever made: each has a prefix of its own, so no upstream is offered another's. */
  private made = 0

  constructor(private readonly o: EndpointUpstreamsOptions<O, S, U>) {
    this.upstreams = new Lru(o.capacity, (_key, { upstream, group }) => {
      o.evicted(upstream)
      if (--group.upstreams === 0 && this.groups.get(group.id) === group) {
        this.groups.delete(group.id)
      }
    })
  }

  /** The upstream to `e` for the client `clientId`, made if there is none. */
  get(e: Endpoint, clientId?: Path): U {
    const group = this.groupOf(clientId)
    // The common case (one set of settings) keys by the endpoint alone: no string per request.
    const key = group.prefix === '' ? e.key : group.prefix + e.key
    let entry = this.upstreams.get(key)
    if (entry === undefined) {
      entry = { upstream: this.o.make(e, group.prepared), group }
      // Counted before it is set: an eviction the set makes cannot drop this group.
      group.upstreams++
      this.upstreams.set(key, entry)
    }
    return entry.upstream
  }

  /** Every upstream now. */
  values(): U[] {
    return this.upstreams.values().map((e) => e.upstream)
  }

  /** Sets of settings kept now (one per set that has an upstream). */
  get settingsKept(): number {
    return this.groups.size
  }

  /** The group of a client's settings, looked up once per bound id while the group lives. */
  private groupOf(clientId: Path | undefined): Group<S> {
    const known = clientId === undefined ? this.unnamed : this.byClient.get(clientId)
    if (known !== undefined && this.groups.get(known.id) === known) return known
    const settings = clientId === undefined ? undefined : this.o.settingsFor?.(clientId)
    const group = this.group(settings ?? this.o.none)
    if (clientId === undefined) this.unnamed = group
    else this.byClient.set(clientId, group)
    return group
  }

  private group(settings: O): Group<S> {
    const id = JSON.stringify(settings)
    let group = this.groups.get(id)
    if (group === undefined) {
      const prepared = this.o.prepare(settings)
      // The first settings seen key their upstreams by the endpoint alone; later ones by a prefix.
      const prefix = this.made === 0 ? '' : `${this.made} `
      this.made++
      group = { id, prepared, prefix, upstreams: 0 }
      this.groups.set(id, group)
    }
    return group
  }
}
