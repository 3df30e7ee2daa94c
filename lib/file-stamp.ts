import type { Stats } from 'node:fs'

/**
 * What tells a rewritten file apart cheaply, from its stat: size, modification time and inode
 * (a file replaced by a rename gets a new inode). Files re-read on change (TLS certificates,
 * token files) compare these.
 */
export function fileStamp(s: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>): string {
  return `${s.size}:${s.mtimeMs}:${s.ino}`
}
