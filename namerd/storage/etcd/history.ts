/**
 * The history of a namespace in etcd: one key per change, `<pathPrefix>/~history/<ns>/<id>`,
 * put in the same transaction as the change. The key's mod revision is the change's revision,
 * so it orders the entries exactly and gives a write's version (the transaction's revision,
 * unknown until it commits, is never stored in the value). The value is JSON
 * `{at, by?, message?, text}` for a write, `{at, by?, message?, deleted}` for a deletion, where
 * `deleted` is the deleted key's mod revision (decimal), whose version the deletion removed.
 */
import { randomBytes } from 'node:crypto'
import type { Etcd3, IKeyValue } from 'etcd3'
import type { ChangeNote, HistoryEntry } from '../backend.js'
import { decimalVersion } from '../version.js'

/**
 * The largest entry read back: namerd writes at most a 1 MiB dtab (the API's body limit) with
 * its note; anything far larger was not written by namerd and is skipped rather than parsed.
 */
export const MAX_ENTRY_BYTES = 4 * 1024 * 1024

/** History entries per read (so that one answer of large dtabs stays far below grpc's limit). */
const PAGE = 16
/** Deletions per trimming transaction (etcd's default `--max-txn-ops` is 128). */
const TRIM_BATCH = 64

/** How to reach etcd: the client, and the backend's wrapper of a call (errors, reachability). */
export interface EtcdCalls {
  readonly client: Etcd3
  call<T>(f: () => Promise<T>): Promise<T>
}

/** What a history entry says besides its place in the store's order. */
export type Change = { readonly text: string } | { readonly deleted: bigint }

/** A fresh key id: the note's time (for people listing keys), then randomness (uniqueness). */
export function entryId(note: ChangeNote): string {
  const ms = Number.isSafeInteger(note.at) && note.at >= 0 ? note.at : 0
  return `${String(ms).padStart(15, '0')}-${randomBytes(6).toString('hex')}`
}

/** The stored value of an entry (the note's optional fields only when given). */
export function entryValue(note: ChangeNote, change: Change): string {
  const what = 'text' in change ? { text: change.text } : { deleted: change.deleted.toString() }
  return JSON.stringify({
    at: note.at,
    ...(note.by === undefined ? {} : { by: note.by }),
    ...(note.message === undefined ? {} : { message: note.message }),
    ...what,
  })
}

/** The entry `kv` holds; undefined if it is not one namerd wrote (too large, or malformed). */
export function readEntry(kv: IKeyValue): HistoryEntry | undefined {
  if (kv.value.length > MAX_ENTRY_BYTES) return undefined
  const o = parseObject(kv.value.toString('utf8'))
  if (o === undefined || !validNote(o)) return undefined
  const rev = BigInt(kv.mod_revision)
  const note = {
    at: o['at'] as number,
    ...(o['by'] === undefined ? {} : { by: o['by'] as string }),
    ...(o['message'] === undefined ? {} : { message: o['message'] as string }),
  }
  const { text, deleted } = o
  if (typeof text === 'string' && deleted === undefined)
    return { ...note, text, version: decimalVersion(rev), rev }
  if (text === undefined && typeof deleted === 'string' && /^[1-9][0-9]{0,18}$/.test(deleted))
    return { ...note, version: decimalVersion(BigInt(deleted)), rev }
  return undefined
}

function parseObject(s: string): Record<string, unknown> | undefined {
  try {
    const o: unknown = JSON.parse(s)
    return typeof o === 'object' && o !== null && !Array.isArray(o)
      ? (o as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function validNote(o: Record<string, unknown>): boolean {
  const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string'
  const at = o['at']
  return (
    typeof at === 'number' &&
    Number.isFinite(at) &&
    at >= 0 &&
    optionalString(o['by']) &&
    optionalString(o['message'])
  )
}

/** Every entry under `prefix` in mod-revision order (read in pages), and how many were not. */
export async function readHistory(
  etcd: EtcdCalls,
  prefix: string,
): Promise<{ entries: HistoryEntry[]; skipped: number }> {
  const entries: HistoryEntry[] = []
  let skipped = 0
  for (let from = 0n; ;) {
    const page = etcd.client.getAll().prefix(prefix).sort('Mod', 'Ascend').limit(PAGE)
    const res = await etcd.call(() => page.minModRevision(from.toString()).exec())
    for (const kv of res.kvs) {
      const entry = readEntry(kv)
      if (entry === undefined) skipped++
      else entries.push(entry)
    }
    const last = res.kvs.at(-1)
    if (!res.more || last === undefined) return { entries, skipped }
    from = BigInt(last.mod_revision) + 1n
  }
}

/**
 * Deletes all entries under `prefix` but the newest `keep`. It deletes only entries older than
 * the newest `keep` of one read, so trimmings racing each other (or another replica's) never
 * delete more.
 */
export async function trimHistory(etcd: EtcdCalls, prefix: string, keep: number): Promise<void> {
  const all = etcd.client.getAll().prefix(prefix).sort('Mod', 'Ascend')
  const keys = await etcd.call(() => all.keyBuffers())
  const old = keys.slice(0, Math.max(0, keys.length - keep))
  for (let i = 0; i < old.length; i += TRIM_BATCH) {
    const success = old.slice(i, i + TRIM_BATCH).map((key) => ({ request_delete_range: { key } }))
    await etcd.call(() => etcd.client.kv.txn({ success }))
  }
}
