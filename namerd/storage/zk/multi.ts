/**
 * ZooKeeper's multi (an atomic list of operations) as node-zookeeper-client builds it, with
 * what the library gets wrong or leaves out: exact versions, the failing operation, and the
 * server's request size limit checked before sending.
 */
import zookeeper, {
  type ACL,
  type Client,
  type Stat,
  type Transaction,
} from 'node-zookeeper-client'
import { StoreValueTooLargeError } from '../errors.js'

/** One operation of a `multi`; `version` is checked exactly (never "any version"). */
export type ZkOp =
  | {
      readonly type: 'create' | 'createSequential'
      readonly path: string
      readonly data: Buffer
      readonly acls: ACL[]
    }
  | {
      readonly type: 'setData'
      readonly path: string
      readonly data: Buffer
      readonly version: number
    }
  | { readonly type: 'remove'; readonly path: string; readonly version: number }

/** What a `multi` answers per operation: a create's path (with its suffix), a setData's stat. */
export interface ZkOpResult {
  readonly path?: string
  readonly stat?: Stat
}

/** A transaction of `ops` on `client`, ready to commit. */
export function transaction(client: Client, ops: readonly ZkOp[]): Transaction {
  const tx = client.transaction()
  for (const op of ops) addOp(tx, op)
  return tx
}

/** Refuses `ops` when they would make a request larger than a ZooKeeper server takes. */
export function checkRequestSize(kind: string, ops: readonly ZkOp[]): void {
  const bytes = ops.reduce((sum, op) => sum + opBytes(op), REQUEST_OVERHEAD)
  if (bytes <= MAX_REQUEST_BYTES) return
  const where = `${ops.length} operations on ${ops[0]?.path}`
  const detail = `a request of ${bytes} bytes (${where}): ZooKeeper takes at most ${MAX_REQUEST_BYTES} (its default jute.maxbuffer)`
  // ZooKeeper would drop the connection of a client sending it (every watch would start over).
  throw new StoreValueTooLargeError(kind, detail)
}

/** The largest request a ZooKeeper server takes by default (`jute.maxbuffer`, 0xfffff). */
const MAX_REQUEST_BYTES = 0xfffff
/** A multi's framing: length, xid, type and the closing header, rounded up. */
const REQUEST_OVERHEAD = 64

/** At least what `op` takes in a request: its header, path, data, version, flags and ACLs. */
function opBytes(op: ZkOp): number {
  const data = 'data' in op ? op.data.length : 0
  const acls = 'acls' in op ? op.acls.reduce((sum, a) => sum + 16 + aclBytes(a), 4) : 0
  return 32 + Buffer.byteLength(op.path) + data + acls
}

function aclBytes(acl: ACL): number {
  return Buffer.byteLength(acl.id.scheme) + Buffer.byteLength(acl.id.id)
}

/**
 * Adds `op` to `tx`. The library turns a version of 0 into -1 ("any version": `version || -1`),
 * which would make a compare-and-swap against version 0 unconditional: the version is set on
 * the queued operation itself.
 */
function addOp(tx: Transaction, op: ZkOp): void {
  const { CreateMode } = zookeeper
  if ('acls' in op) {
    const mode = op.type === 'create' ? CreateMode.PERSISTENT : CreateMode.PERSISTENT_SEQUENTIAL
    tx.create(op.path, op.data, op.acls, mode)
    return
  }
  if (op.type === 'setData') tx.setData(op.path, op.data, op.version)
  else tx.remove(op.path, op.version)
  const queued = (tx as unknown as { ops: { version: number }[] }).ops.at(-1)
  if (queued === undefined) throw new Error('the ZooKeeper transaction lost an operation')
  queued.version = op.version
}

/** The index of the operation a failed multi names (the others answer OK or "rolled back"). */
export function failingOp(results: unknown[]): number | undefined {
  const { OK, RUNTIME_INCONSISTENCY } = zookeeper.Exception
  const i = results.findIndex((r) => {
    const err = (r as { err?: unknown }).err
    return typeof err === 'number' && err !== OK && err !== RUNTIME_INCONSISTENCY
  })
  return i < 0 ? undefined : i
}
