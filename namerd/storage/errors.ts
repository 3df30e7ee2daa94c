import { CodedError } from '../../lib/errors.js'

/**
 * The store could not be reached (or did not answer in time). namerd answers 503 with this
 * message; reads and watches go on serving the last known dtabs.
 */
export class StoreUnavailableError extends CodedError {
  readonly code = 'ERR_STORE_UNAVAILABLE'
  constructor(
    readonly kind: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`dtab store ${kind} is unreachable: ${detail}`, options)
  }
}

/**
 * The store refused a write for its size (etcd's `--max-request-bytes`: a write carries the dtab
 * twice, as the value and in its history entry). namerd answers 413; nothing was written.
 */
export class StoreValueTooLargeError extends CodedError {
  readonly code = 'ERR_STORE_VALUE_TOO_LARGE'
  constructor(
    readonly kind: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`dtab store ${kind} refused the write for its size: ${detail}`, options)
  }
}

/** A namespace name namerd refuses (400): see `validNamespace`. */
export class InvalidNamespaceError extends CodedError {
  readonly code = 'ERR_NAMESPACE_INVALID'
  constructor(readonly ns: string) {
    super(
      `invalid namespace ${JSON.stringify(ns)}: use 1 to 128 letters, digits, '_', '-' or '.', not starting with '.'`,
    )
  }
}

const NAMESPACE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/

/**
 * Whether `ns` is an acceptable namespace: safe as a file name, a ZooKeeper znode name, an etcd
 * key element and a URL path segment, whatever the store.
 */
export function validNamespace(ns: string): boolean {
  return NAMESPACE.test(ns)
}
