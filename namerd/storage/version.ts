/**
 * Versions as linkerd shows them: `ETag` is the standard base64 of the store's version bytes.
 * Decoding is total: text that is not a version of this shape decodes to undefined, which the
 * stores treat as a version mismatch (linkerd crashed on it).
 */

/** 8-byte big-endian integer (linkerd's in-memory store; also our file store). */
export function longVersion(n: bigint): string {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(n)
  return b.toString('base64')
}

export function readLongVersion(etag: string): bigint | undefined {
  const b = decode(etag, 8)
  return b === undefined ? undefined : b.readBigInt64BE(0)
}

/** 4-byte big-endian int32 (ZooKeeper's `stat.version`). */
export function int32Version(n: number): string {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b.toString('base64')
}

export function readInt32Version(etag: string): number | undefined {
  const b = decode(etag, 4)
  return b === undefined ? undefined : b.readInt32BE(0)
}

/** ASCII decimal (linkerd's etcd store: the modification index; ours: the mod revision). */
export function decimalVersion(n: bigint): string {
  return Buffer.from(n.toString(), 'latin1').toString('base64')
}

export function readDecimalVersion(etag: string): bigint | undefined {
  const b = decode(etag)
  const text = b?.toString('latin1')
  return text !== undefined && /^[0-9]{1,19}$/.test(text) ? BigInt(text) : undefined
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function decode(etag: string, length?: number): Buffer | undefined {
  const text = unquote(etag.trim())
  if (text === '' || !BASE64.test(text)) return undefined
  const b = Buffer.from(text, 'base64')
  return length === undefined || b.length === length ? b : undefined
}

/** `If-Match` may arrive quoted (RFC 9110 form) or bare (linkerd's form); both mean the same. */
function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s
}
