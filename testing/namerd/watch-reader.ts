/**
 * Raw-socket readers of namerd dtab watch streams (JSON), cheap enough to hold hundreds of
 * streams of a 1 MB dtab: one shared read buffer, and only the end of each document is looked
 * at. Each dtab the tests write ends with the dentry `/end=>/v<version>`.
 */
import { connect, type Socket } from 'node:net'

/** A watch stream on a raw socket: the newest version whose whole document has arrived. */
export interface WatchReader {
  readonly socket: Socket
  latest: number
  /** Called when `latest` changes, with the old value. */
  onVersion?: (old: number) => void
}

/** The end of a JSON dtab document: the last dentry's dst, `"/v<n>"}]` and the newline. */
const END = Buffer.from('"}]\n')

/**
 * One read buffer for every reader: a fresh Buffer per read of 500 streams of 1 MB would make
 * the readers the bottleneck of what a test measures.
 */
const READ_BUFFER = Buffer.alloc(256 * 1024)

function scan(r: WatchReader, buf: Buffer): void {
  for (let i = buf.indexOf(END); i !== -1; i = buf.indexOf(END, i + 1)) {
    const m = /\/v(\d+)$/.exec(buf.subarray(Math.max(0, i - 16), i).toString('latin1'))
    const v = m === null ? -1 : Number(m[1])
    if (v <= r.latest) continue
    const old = r.latest
    r.latest = v
    r.onVersion?.(old)
  }
}

/**
 * Opens `GET <path>?watch=true` on 127.0.0.1:`port`; reads everything, or nothing if `paused`:
 * a paused socket never reads, so its kernel receive buffer stays at its small initial size
 * (Linux grows it only as the application reads).
 */
export async function openWatchReader(
  port: number,
  path: string,
  paused = false,
): Promise<WatchReader> {
  let carry = Buffer.alloc(0)
  const onData = (nread: number): boolean => {
    const chunk = READ_BUFFER.subarray(0, nread)
    scan(reader, Buffer.concat([carry, chunk.subarray(0, 32)]))
    scan(reader, chunk)
    carry = Buffer.from(chunk.subarray(-32))
    return true
  }
  const socket = connect({
    port,
    host: '127.0.0.1',
    onread: { buffer: READ_BUFFER, callback: onData },
  })
  const reader: WatchReader = { socket, latest: -1 }
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(`GET ${path}?watch=true HTTP/1.1\r\nHost: namerd\r\n\r\n`)
  if (paused) socket.pause()
  return reader
}
