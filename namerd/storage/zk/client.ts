/**
 * Promise wrappers over node-zookeeper-client's callback API that keep every value a callback
 * gives (`data` and `stat`). Each call fails fast when the session is not connected (the
 * library would queue it forever; only at start-up does a call wait, boundedly, for the first
 * connection) and has its own deadline (a call queued just before a disconnection may never be
 * answered, and may still be applied after it timed out: the library cannot withdraw it).
 */
import zookeeper, { type ACL, type Client, type Event, type Stat } from 'node-zookeeper-client'
import { CodedError } from '../../../lib/errors.js'
import { StoreUnavailableError } from '../errors.js'
import { checkRequestSize, failingOp, transaction, type ZkOp, type ZkOpResult } from './multi.js'

/** ZooKeeper refused the call for lack of rights (NoAuth): check `authInfo` and `acls`. */
export class StoreDeniedError extends CodedError {
  readonly code = 'ERR_STORE_DENIED'
  constructor(
    readonly kind: string,
    detail: string,
  ) {
    super(`dtab store ${kind} denied access: ${detail}`)
  }
}

/** Any other ZooKeeper error code, for the caller to turn into an outcome or a failure. */
export class ZkCodeError extends Error {
  constructor(
    readonly zkCode: number,
    message: string,
    /** In a `multi`: the index of the operation that failed (the others were not applied). */
    readonly op?: number,
  ) {
    super(message)
    this.name = 'ZkCodeError'
  }
}

export type Watcher = (event: Event) => void

type Callback<T> = (err: Error | zookeeper.Exception | null, value?: T) => void

const { Exception } = zookeeper
/** Codes meaning "the store cannot answer now". */
const UNAVAILABLE = new Set([
  Exception.CONNECTION_LOSS,
  Exception.SESSION_EXPIRED,
  Exception.OPERATION_TIMEOUT,
])

/** `p`, or `value` when it fails with ZooKeeper error `code` (an expected outcome). */
export async function orOnCode<T, U>(p: Promise<T>, code: number, value: U): Promise<T | U> {
  try {
    return await p
  } catch (e) {
    if (e instanceof ZkCodeError && e.zkCode === code) return value
    throw e
  }
}

/** ZooKeeper calls on whatever client is connected now. */
export class ZkCalls {
  private readonly pending = new Set<(e: Error) => void>()

  constructor(
    private readonly kind: string,
    /** The connected client, or undefined (the call then fails at once). */
    private readonly client: (waitMs: number) => Promise<Client | undefined>,
    private readonly timeoutMs: number,
  ) {}

  getData(path: string, watch?: Watcher): Promise<{ data: Buffer | undefined; stat: Stat }> {
    return this.run('getData', path, (c, cb) => {
      const done = (e: Error | zookeeper.Exception | null, data: Buffer, stat: Stat): void =>
        cb(e, { data: data ?? undefined, stat })
      if (watch === undefined) c.getData(path, done)
      else c.getData(path, watch, done)
    })
  }

  getChildren(path: string, watch?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    return this.run('getChildren', path, (c, cb) => {
      const done = (e: Error | zookeeper.Exception | null, children: string[], stat: Stat): void =>
        cb(e, { children, stat })
      if (watch === undefined) c.getChildren(path, done)
      else c.getChildren(path, watch, done)
    })
  }

  /** The node's stat, or null when it does not exist. */
  exists(path: string): Promise<Stat | null> {
    return this.run('exists', path, (c, cb) => c.exists(path, (e, stat) => cb(e, stat)))
  }

  setData(path: string, data: Buffer, version: number): Promise<Stat> {
    return this.run('setData', path, (c, cb) => c.setData(path, data, version, cb))
  }

  remove(path: string): Promise<void> {
    return this.run('remove', path, (c, cb) => c.remove(path, -1, (e) => cb(e)))
  }

  /**
   * Applies `ops` atomically (all or none). A failure is the failing operation's error; a
   * ZkCodeError says which operation (`op`).
   */
  async multi(ops: readonly ZkOp[]): Promise<ZkOpResult[]> {
    checkRequestSize(this.kind, ops)
    let failed: number | undefined
    try {
      return await this.run('multi', ops[0]?.path ?? '', (c, cb) => {
        transaction(c, ops).commit((e, results: unknown) => {
          if (e && Array.isArray(results)) failed = failingOp(results)
          cb(e, results as ZkOpResult[])
        })
      })
    } catch (e) {
      if (!(e instanceof ZkCodeError) || failed === undefined) throw e
      throw new ZkCodeError(
        e.zkCode,
        `${e.message} (operation ${failed + 1} of ${ops.length})`,
        failed,
      )
    }
  }

  /** Creates `path` and its missing parents. */
  mkdirp(path: string, acls: ACL[]): Promise<void> {
    return this.run('mkdirp', path, (c, cb) => c.mkdirp(path, acls, (e) => cb(e)))
  }

  /** Fails every call still waiting (on close). */
  abortAll(): void {
    for (const fail of [...this.pending])
      fail(new StoreUnavailableError(this.kind, 'the store was closed'))
  }

  private async run<T>(
    op: string,
    path: string,
    start: (c: Client, cb: Callback<T>) => void,
  ): Promise<T> {
    const client = await this.client(this.timeoutMs)
    if (client === undefined) {
      throw new StoreUnavailableError(this.kind, `not connected to ZooKeeper (${op} ${path})`)
    }
    return new Promise<T>((resolve, reject) => {
      const fail = (e: Error): void => {
        clearTimeout(timer)
        this.pending.delete(fail)
        reject(e)
      }
      const timer = setTimeout(() => {
        const detail = `${op} ${path}: no answer within ${this.timeoutMs} ms`
        fail(new StoreUnavailableError(this.kind, detail))
      }, this.timeoutMs)
      this.pending.add(fail)
      const cb: Callback<T> = (err, value) => {
        if (err) return fail(this.translate(op, path, err))
        clearTimeout(timer)
        this.pending.delete(fail)
        resolve(value as T)
      }
      try {
        start(client, cb)
      } catch (e) {
        // The library validates arguments by throwing (paths, 1 MB data limit).
        fail(e instanceof Error ? e : new Error(String(e)))
      }
    })
  }

  private translate(op: string, path: string, err: Error | zookeeper.Exception): Error {
    if (!(err instanceof Exception)) return err
    const code = err.getCode()
    const detail = `${op} ${path}: ${err.toString()}`
    if (UNAVAILABLE.has(code)) return new StoreUnavailableError(this.kind, detail)
    if (code === Exception.NO_AUTH) return new StoreDeniedError(this.kind, detail)
    return new ZkCodeError(code, `${this.kind}: ${detail}`)
  }
}
