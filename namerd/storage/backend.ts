/**
 * The contract between namerd and one storage system. A backend only moves dtab text in and
 * out of its store and reports changes; caching, outage behaviour, timeouts, parsing and
 * de-duplication live once in `DtabStore` (dtab-store.ts), which wraps every backend.
 *
 * Expected outcomes of writes (the namespace exists, is missing, or has another version) are
 * values. A backend throws only for failures: `StoreUnavailableError` when the store cannot be
 * reached, anything else for a bug or an unexpected answer.
 */

/** One namespace's value as the store holds it. */
export interface Stored {
  /** The dtab text exactly as stored (namerd writes `Dtab.show` form). */
  readonly text: string
  /**
   * The version as namerd shows it in `ETag` and expects back in `If-Match`: base64 of the
   * store's version bytes, as linkerd encodes it for that store.
   */
  readonly version: string
  /**
   * Order of this value among all changes the store has made: a larger `rev` is newer, also
   * across a delete and re-create (etcd: the mod revision; ZooKeeper: mzxid; file and memory:
   * a counter). `DtabStore` ignores a report older than what it already holds.
   */
  readonly rev: bigint
}

/**
 * What namerd says about a change, kept with it in the namespace's history (the store writes
 * the history entry in the same atomic operation as the change itself).
 */
export interface ChangeNote {
  /** When namerd made the change (ms since the epoch). */
  readonly at: number
  /** Who made it, when writes are authenticated: a client certificate's name, or `token`. */
  readonly by?: string
  /** The writer's own words (`namerctl dtab update -m`). */
  readonly message?: string
}

/** One past value of a namespace, as the store keeps it (ChangeNote's fields, and what changed). */
export interface HistoryEntry extends ChangeNote {
  /** The version (ETag) the namespace had after this change; a deletion: the version deleted. */
  readonly version: string
  /** The dtab text written; undefined: the namespace was deleted. */
  readonly text?: string
  /** The change's place in the store's order (as `Stored.rev`). */
  readonly rev: bigint
}

/** How many past values a store keeps per namespace unless configured (`dtabHistorySize`). */
export const DEFAULT_HISTORY_SIZE = 100

/** The most `dtabHistorySize` may be: each entry can hold a whole dtab (up to 1 MiB of text). */
export const MAX_HISTORY_SIZE = 1000

/** The result of a write. `ok` carries the new value (so a reader sees its own write at once). */
export type WriteOutcome =
  | { readonly type: 'ok'; readonly stored: Stored }
  | { readonly type: 'exists' }
  | { readonly type: 'not-found' }
  | { readonly type: 'version-mismatch' }

/** The result of a delete; `rev` is the deletion's place in the store's order. */
export type DeleteOutcome =
  { readonly type: 'ok'; readonly rev: bigint } | { readonly type: 'not-found' }

/**
 * What a backend's watch reports, in the store's order. After (re)connecting, a backend reports
 * a full `snapshot` before any `change`, so that nothing missed while away is lost; it never
 * reports a snapshot it did not read completely (an outage must not look like deleted dtabs).
 */
export interface BackendEvents {
  /** Everything under the prefix, read at `rev` (namespaces not in `all` are absent at `rev`). */
  snapshot(all: ReadonlyMap<string, Stored>, rev: bigint): void
  /** One namespace changed; `value` undefined means deleted at `rev`. */
  change(ns: string, value: Stored | undefined, rev: bigint): void
  /** Whether the store is reachable now (reported on every transition). */
  reachable(up: boolean): void
}

/** One storage system (`storage.kind`). Namespaces are already validated by the caller. */
export interface Backend {
  /** The config kind, e.g. `io.l5d.etcd`, for messages and metrics. */
  readonly kind: string
  list(): Promise<string[]>
  read(ns: string): Promise<Stored | undefined>
  /**
   * Every write below also records `note` in `ns`'s history, atomically with the change (a
   * change is never kept without its entry, nor an entry without its change), and then keeps
   * only the newest `historySize` entries of `ns` (the builder's; trimming may lag a write).
   */
  /** Creates `ns`; `exists` if it is there already. */
  create(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome>
  /** Compare-and-swap against `version` (an ETag); `version-mismatch` for any other version. */
  update(ns: string, text: string, version: string, note: ChangeNote): Promise<WriteOutcome>
  /** Creates or replaces, whatever the version. */
  put(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome>
  delete(ns: string, note: ChangeNote): Promise<DeleteOutcome>
  /**
   * `ns`'s past values, oldest first, at most `historySize` (a deleted namespace keeps its
   * history, and a re-created one continues it); empty if it never had one.
   */
  history(ns: string): Promise<HistoryEntry[]>
  /**
   * Starts following every namespace; returns how to stop. Called at most once. The backend
   * keeps the watch going by itself across disconnections (reconnect, re-read, resume) until
   * stopped or closed.
   */
  watch(events: BackendEvents): () => void
  /** Releases connections, timers and watches; pending calls may fail. */
  close(): Promise<void>
}
