/**
 * The router's own addresses, for the override guard (override-guard.ts): the servers of every
 * router of this process (added as they listen), the admin server, and namerd as the
 * interpreters reach it. A listener on `0.0.0.0` or `::` is reached at every address of this
 * host (its interfaces, and all of 127.0.0.0/8), and so is namerd when it is on this host (it
 * may listen on every interface while the router knows one address of it).
 */
import { ipValue, isLoopback } from '../../lib/ip.js'
import { interfaceAddresses } from '../transformers/ip.js'

export interface HostPort {
  readonly host: string
  readonly port: number
}

/** What an address is to the router: one of its servers, its admin, or namerd. */
export type SelfRole = 'server' | 'admin' | 'namerd'

/** The role of `host:port` among the listeners it was made of, if it is one of them. */
export type SelfMatch = (host: string, port: number) => SelfRole | undefined

/** Every address the router's own listeners are reached at, now. */
export interface SelfSnapshot {
  /** Admin and namerd: never reached through an override. */
  readonly control: SelfMatch
  /** The router's servers. */
  readonly servers: SelfMatch
}

const WILDCARD = new Set(['0.0.0.0', '::'])

/** See the file header. `snapshot()` is rebuilt only after a change, so it can be a cache key. */
export class SelfAddresses {
  readonly #servers: HostPort[] = []
  #admin: readonly HostPort[]
  readonly #namerds: (() => readonly HostPort[])[] = []
  readonly #local: ReadonlySet<string>
  #snapshot:
    { readonly of: readonly (readonly HostPort[])[]; readonly value: SelfSnapshot } | undefined

  constructor(admin: HostPort | undefined, localIps: readonly string[] = interfaceAddresses()) {
    this.#admin = admin === undefined || admin.port === 0 ? [] : [admin]
    this.#local = new Set(localIps)
  }

  /** The admin server once it listens: its real port, when the config said 0 (any). */
  setAdmin(address: HostPort): void {
    this.#admin = [address]
    this.#snapshot = undefined
  }

  /** A router server, once it listens (its real port). */
  addServer(address: HostPort): void {
    this.#servers.push(address)
    this.#snapshot = undefined
  }

  /** Where an interpreter reaches namerd (read at each snapshot; may change). */
  addNamerd(addresses: () => readonly HostPort[]): void {
    this.#namerds.push(addresses)
    this.#snapshot = undefined
  }

  snapshot(): SelfSnapshot {
    const namerds = this.#namerds.map((f) => f())
    const last = this.#snapshot
    if (last !== undefined && namerds.every((n, i) => n === last.of[i])) return last.value
    const namerd = namerds.flat().map((a) => (this.isLocal(a.host) ? wide(a) : a))
    const value = {
      control: this.matcher([...this.#admin.map(role('admin')), ...namerd.map(role('namerd'))]),
      servers: this.matcher(this.#servers.map(role('server'))),
    }
    this.#snapshot = { of: namerds, value }
    return value
  }

  /** On this host: loopback, a wildcard, or one of its interface addresses. */
  isLocal(host: string): boolean {
    const ip = ipValue(host) ?? (host === 'localhost' ? '127.0.0.1' : undefined)
    return ip !== undefined && (isLoopback(ip) || WILDCARD.has(ip) || this.#local.has(ip))
  }

  private matcher(listeners: readonly (HostPort & { role: SelfRole })[]): SelfMatch {
    const exact = new Map<string, SelfRole>()
    const anyLocal = new Map<number, SelfRole>()
    for (const l of listeners) {
      const ip = ipValue(l.host) ?? l.host
      if (WILDCARD.has(ip)) anyLocal.set(l.port, l.role)
      else exact.set(`${ip} ${l.port}`, l.role)
    }
    return (host, port) => {
      const ip = ipValue(host) ?? (host === 'localhost' ? '127.0.0.1' : host)
      const wideRole = anyLocal.get(port)
      if (wideRole !== undefined && this.isLocal(ip)) return wideRole
      // Connecting to 0.0.0.0 or :: reaches this host: any listener on that port.
      if (WILDCARD.has(ip)) return [...exact].find(([k]) => k.endsWith(` ${port}`))?.[1]
      return exact.get(`${ip} ${port}`)
    }
  }
}

/** The same port on every address of this host. */
function wide(a: HostPort): HostPort {
  return { host: '0.0.0.0', port: a.port }
}

function role(r: SelfRole): (a: HostPort) => HostPort & { role: SelfRole } {
  return (a) => ({ ...a, role: r })
}
