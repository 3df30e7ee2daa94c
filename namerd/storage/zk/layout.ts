import type { ACL, Stat } from 'node-zookeeper-client'
import zookeeper from 'node-zookeeper-client'
import type { Stored } from '../backend.js'
import { validNamespace } from '../errors.js'
import { int32Version } from '../version.js'
import { orOnCode, type Watcher, type ZkCalls } from './client.js'

/** A zxid (an 8-byte stat field) as a number in the store's global order. */
export function zxid(b: Buffer): bigint {
  return b.readBigInt64BE(0)
}

/**
 * linkerd's ZooKeeper layout: one persistent znode per namespace, `<prefix>/<ns>`, holding the
 * dtab text, with the configured ACLs. Version (ETag) = base64 of the 4-byte `stat.version`;
 * order = `stat.mzxid`. The namespaces' history is a sibling tree (history.ts).
 */
export class ZkLayout {
  constructor(
    readonly calls: ZkCalls,
    readonly prefix: string,
    readonly acls: ACL[],
  ) {}

  path(ns: string): string {
    return `${this.prefix}/${ns}`
  }

  stored(text: string, stat: Stat): Stored {
    return { text, version: int32Version(stat.version), rev: zxid(stat.mzxid) }
  }

  /** `ns` as stored, or undefined if missing; `watch` is set when it exists. */
  async get(ns: string, watch?: Watcher): Promise<Stored | undefined> {
    const got = await orOnCode(this.calls.getData(this.path(ns), watch), NO_NODE, undefined)
    return got === undefined ? undefined : this.stored(got.data?.toString('utf8') ?? '', got.stat)
  }

  /**
   * The namespaces under the prefix (children with names namerd accepts), read at `rev` (the
   * prefix's pzxid: the last change of the list). When watching, creates a missing prefix.
   */
  async children(watch?: Watcher): Promise<{ names: string[]; rev: bigint }> {
    for (let attempt = 0; ; attempt++) {
      const got = await orOnCode(this.calls.getChildren(this.prefix, watch), NO_NODE, undefined)
      if (got !== undefined) {
        return { names: got.children.filter(validNamespace), rev: zxid(got.stat.pzxid) }
      }
      // A plain listing needs no prefix; a watch does (it follows the prefix's children).
      if (watch === undefined) return { names: [], rev: 0n }
      if (attempt > 2) throw new Error(`${this.prefix} keeps disappearing`)
      await this.ensurePrefix()
    }
  }

  /** Creates the prefix and its parents, with the configured ACLs. */
  ensurePrefix(): Promise<void> {
    return this.calls.mkdirp(this.prefix, this.acls)
  }
}

/** `acls[].perms` letters and their ZooKeeper permission bits. */
export const PERMS: Readonly<Record<string, number>> = {
  c: zookeeper.Permission.CREATE,
  r: zookeeper.Permission.READ,
  w: zookeeper.Permission.WRITE,
  d: zookeeper.Permission.DELETE,
  a: zookeeper.Permission.ADMIN,
}

/** The `io.l5d.zk` config, with linkerd's key names. */
export interface ZkConfig {
  readonly zkAddrs: readonly { readonly host: string; readonly port: number }[]
  /** Parent znode of the namespaces, e.g. `/dtabs` (no trailing slash). */
  readonly pathPrefix: string
  readonly sessionTimeoutMs: number
  /** Credentials sent on every connection (e.g. `digest`, `user:pass`); never logged. */
  readonly authInfo?: { readonly scheme: string; readonly auth: string }
  /** ACLs of the znodes namerd creates; `perms` is a subset of `crwda`. */
  readonly acls: readonly { readonly scheme: string; readonly id: string; readonly perms: string }[]
}

const WORLD_ALL = { scheme: 'world', id: 'anyone', perms: 'crwda' }

/** The configured ACLs as the library wants them (world:anyone:crwda when none). */
export function zkAcls(acls: ZkConfig['acls']): ACL[] {
  return (acls.length > 0 ? acls : [WORLD_ALL]).map((a) => {
    const bits = [...a.perms].reduce((sum, c) => sum | (PERMS[c] ?? 0), 0)
    return new zookeeper.ACL(bits, new zookeeper.Id(a.scheme, a.id))
  })
}

const NO_NODE = zookeeper.Exception.NO_NODE
