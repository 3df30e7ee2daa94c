import type { HistoryEntry } from '../backend.js'
import { int32Version, readInt32Version } from '../version.js'

/**
 * A history entry's znode data: UTF-8 JSON `{"version", "text"?, "at", "by"?, "message"?}`
 * (no `text`: a deletion). `rev` is not stored: it is the znode's czxid.
 */
export function encodeEntry(entry: Omit<HistoryEntry, 'rev'>): Buffer {
  const { version, text, at, by, message } = entry
  return Buffer.from(JSON.stringify({ version, text, at, by, message }), 'utf8')
}

/**
 * The entry `data` holds, at `rev`; or why it is not one (anything written there by someone
 * else: not JSON, wrong types, a version that is not a ZooKeeper ETag). Unknown fields are
 * ignored.
 */
export function decodeEntry(data: Buffer | undefined, rev: bigint): HistoryEntry | string {
  let value: unknown
  try {
    value = JSON.parse(data?.toString('utf8') ?? '')
  } catch {
    return 'not JSON'
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object'
  const { version, text, at, by, message } = value as Record<string, unknown>
  if (typeof version !== 'string' || !isInt32Version(version)) return 'bad "version"'
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) return 'bad "at"'
  if (!optionalString(text) || !optionalString(by) || !optionalString(message))
    return '"text", "by" or "message" is not a string'
  return {
    version,
    rev,
    at,
    ...(text !== undefined && { text }),
    ...(by !== undefined && { by }),
    ...(message !== undefined && { message }),
  }
}

/** `version` exactly as this store writes it (not merely something that decodes). */
function isInt32Version(version: string): boolean {
  const n = readInt32Version(version)
  return n !== undefined && int32Version(n) === version
}

function optionalString(v: unknown): v is string | undefined {
  return v === undefined || typeof v === 'string'
}
