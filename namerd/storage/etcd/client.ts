/**
 * The etcd v3 client as namerd uses it: fault handling tuned so that an outage fails calls fast
 * and a restarted etcd is used again at once, the key layout, and the mapping of etcd3's
 * errors to StoreUnavailableError.
 */
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  retry,
} from 'cockatiel'
import {
  ClientClosedError,
  Etcd3,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCInvalidArgumentError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
  isRecoverableError,
  type IKeyValue,
  type IOptions,
} from 'etcd3'
import { errorMessage } from '../../../lib/errors.js'
import type { Stored } from '../backend.js'
import { StoreUnavailableError, StoreValueTooLargeError, validNamespace } from '../errors.js'
import { decimalVersion } from '../version.js'

/** The largest answer taken from etcd (history pages, the watch's read of every dtab). */
const MAX_RECEIVE_BYTES = 256 * 1024 * 1024

/** How to reach etcd (what the plug-in makes of its config; TLS files already read). */
export interface EtcdOptions {
  /** `http://host:port` (or `https://` with TLS), one per cluster member. */
  readonly hosts: readonly string[]
  /** Keys are `<pathPrefix>/<ns>`; no trailing slash. */
  readonly pathPrefix: string
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer }
  readonly auth?: { readonly username: string; readonly password: string }
  /** Deadline of one unary call (default 1500 ms); watch streams have none. */
  readonly callTimeoutMs?: number
  /**
   * HTTP/2 ping interval while a call (the watch) is open (default 10 s; etcd refuses pings
   * more often than every 5 s); no answer within half of it ends the connection. Without it a
   * silently lost link (no reset) would leave the watch waiting forever.
   */
  readonly keepaliveMs?: number
}

/**
 * A client whose calls fail within about `callTimeoutMs` when etcd is away, and which uses a
 * restarted etcd at once: etcd3's defaults back a watch off up to 30 s and keep a circuit open
 * for 5 s after etcd is back (measured with etcd3 1.1.2 and etcd 3.4: the watch came back 2 to
 * 9 s after etcd did, and every call failed with `BrokenCircuitError` for 5 s).
 */
export function openClient(o: EtcdOptions): Etcd3 {
  const timeout = o.callTimeoutMs ?? 1500
  const keepalive = o.keepaliveMs ?? 10_000
  const options: IOptions = {
    hosts: [...o.hosts],
    grpcOptions: {
      'grpc.keepalive_time_ms': keepalive,
      'grpc.keepalive_timeout_ms': Math.ceil(keepalive / 2),
      // grpc's default of 4 MiB is less than a page of history entries of large dtabs.
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    },
    faultHandling: {
      host: () =>
        circuitBreaker(handleWhen(isRecoverableError), {
          halfOpenAfter: 500,
          breaker: new ConsecutiveBreaker(5),
        }),
      // Retry only "could not connect" (the first call after a restart meets a stale channel);
      // a timed-out write may have been applied, and retrying it would misreport the outcome.
      global: retry(
        handleWhen((e) => e instanceof GRPCUnavailableError),
        { maxAttempts: 1, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 300 }) },
      ),
      // etcd3 types this as a backoff but calls .next() on it, as on a cockatiel 3 factory.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }).next(),
    },
    // A deadline on the watch stream would end it every `timeout`.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
  }
  if (o.auth !== undefined) options.auth = { ...o.auth }
  if (o.tls?.ca !== undefined || o.tls?.cert !== undefined) {
    options.credentials = {
      // grpc's createSsl takes null for the system roots; etcd3's type insists on a Buffer.
      rootCertificate: o.tls.ca ?? (null as unknown as Buffer),
      ...(o.tls.key === undefined ? {} : { privateKey: o.tls.key }),
      ...(o.tls.cert === undefined ? {} : { certChain: o.tls.cert }),
    }
  }
  return new Etcd3(options)
}

/**
 * The key layout: one key `<pathPrefix>/<ns>` per namespace, and its history under
 * `<pathPrefix>/~history/<ns>/` (history.ts). `~` sorts after every character a namespace may
 * start with, so the namespaces are the range from `<pathPrefix>/` to `<pathPrefix>/~`, which
 * the watch and list read without the history; and an etcd role granted `<pathPrefix>/` covers
 * both.
 */
export class Keys {
  /** `<pathPrefix>/`. */
  readonly dir: string
  /** The watched and listed range: every namespace key, no history key. */
  readonly namespaces: { readonly start: string; readonly end: string }

  constructor(pathPrefix: string) {
    this.dir = `${pathPrefix.replace(/\/+$/, '')}/`
    this.namespaces = { start: this.dir, end: `${this.dir}~` }
  }

  key(ns: string): string {
    return this.dir + ns
  }

  /** The prefix of `ns`'s history keys (a namespace has no `/`: no other's keys are under it). */
  history(ns: string): string {
    return `${this.dir}~history/${ns}/`
  }

  /** The namespace a key holds; undefined for keys namerd would not have written. */
  nsOf(key: Buffer | string): string | undefined {
    const ns = key.toString().slice(this.dir.length)
    return validNamespace(ns) ? ns : undefined
  }
}

/** A key-value as a Stored: the ETag is the mod revision as base64 of its decimal text. */
export function storedOf(kv: IKeyValue): Stored {
  const rev = BigInt(kv.mod_revision)
  return { text: kv.value.toString('utf8'), version: decimalVersion(rev), rev }
}

/**
 * `e` as StoreUnavailableError when it means etcd could not be used (down, too slow, closed,
 * or refusing our credentials), as StoreValueTooLargeError when etcd refused a write for its
 * size, else `e` unchanged (a bug or an unexpected answer).
 */
export function unavailable(kind: string, e: unknown): unknown {
  if (e instanceof StoreUnavailableError || !(e instanceof Error)) return e
  if (e instanceof GRPCInvalidArgumentError && /too large/i.test(e.message))
    return new StoreValueTooLargeError(kind, errorMessage(e), { cause: e })
  const unusable =
    isRecoverableError(e) ||
    isBrokenCircuitError(e) ||
    e instanceof ClientClosedError ||
    e instanceof EtcdAuthenticationFailedError ||
    e instanceof EtcdInvalidAuthTokenError ||
    e instanceof EtcdPermissionDeniedError ||
    e instanceof GRPCUnauthenticatedError
  return unusable ? new StoreUnavailableError(kind, errorMessage(e), { cause: e }) : e
}
