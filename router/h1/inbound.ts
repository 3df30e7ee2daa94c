import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { RequestHead } from '../model.js'

/** What a request needs from the connection it arrives on. */
export interface RequestSource {
  /** Stop reading the socket: the body's reader is behind. */
  pauseReading(): void
  /** The body's reader wants more. */
  resumeReading(): void
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  /** The names of the client's verified TLS certificate (mTLS servers), if any. */
  readonly peerIdentity?: readonly string[] | undefined
}

/**
 * A request received by the router's HTTP/1.1 server: its head as parsed, and its body as a
 * stream made only when someone reads it (most proxied requests have none). Backpressure reaches
 * the socket: while the body's reader is behind, the connection stops reading.
 */
export class InboundRequest implements RequestHead {
  /** The whole message (head and body) has arrived. */
  received = false
  /** Its response was sent completely (its body may still be arriving). */
  answered = false
  private stream: BodyStream | undefined
  private discarding = false
  private lazyHeaders: IncomingHttpHeaders | undefined

  constructor(
    readonly method: string,
    readonly url: string,
    /** `1.1` or `1.0`. */
    readonly httpVersion: string,
    /** Flat `[name, value, …]` as received. */
    readonly rawHeaders: string[],
    private readonly source: RequestSource,
  ) {}

  get remoteAddress(): string | undefined {
    return this.source.remoteAddress
  }

  get remotePort(): number | undefined {
    return this.source.remotePort
  }

  /** The names of the client's verified certificate (subject CN, SAN DNS names and URIs). */
  get peerIdentity(): readonly string[] | undefined {
    return this.source.peerIdentity
  }

  /** Lower-cased names to values (built on first use, as node:http's `headers`). */
  get headers(): IncomingHttpHeaders {
    return (this.lazyHeaders ??= headerObject(this.rawHeaders))
  }

  /** The body (made on first use; ends at once for a request without one). */
  get body(): Readable {
    if (this.stream === undefined) {
      this.stream = new BodyStream(this.source)
      if (this.received) this.stream.push(null)
    }
    return this.stream
  }

  /** The body arrived and was read (or discarded) to its end. */
  get bodyDone(): boolean {
    return this.received && (this.stream === undefined || this.stream.readableEnded)
  }

  /** The rest of the body is read and dropped, so that the connection can carry the next request. */
  discardBody(): void {
    if (this.discarding) return
    this.discarding = true
    this.stream?.resume()
  }

  /** @internal The connection delivers a piece of the body. */
  pushBody(chunk: Buffer): void {
    if (this.discarding && this.stream === undefined) return
    if (!this.body.push(chunk)) this.source.pauseReading()
  }

  /** @internal The message is complete. */
  complete(): void {
    this.received = true
    this.stream?.push(null)
  }

  /** @internal The connection went away before the message was complete. */
  abort(): void {
    // No error: a reader with no 'error' listener must not bring the process down.
    this.stream?.destroy()
  }
}

class BodyStream extends Readable {
  constructor(private readonly source: RequestSource) {
    super()
  }

  override _read(): void {
    this.source.resumeReading()
  }
}

/** Headers whose duplicates node:http drops (the first one counts). */
const SINGLE = new Set([
  'host',
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'authorization',
  'from',
  'age',
  'etag',
  'expires',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'retry-after',
  'server',
])

/** node:http's `headers` object from a raw list: set-cookie as a list, singletons first-wins, others joined. */
export function headerObject(raw: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string>
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    const value = raw[i + 1] as string
    const had = out[name]
    if (name === 'set-cookie')
      out[name] = had === undefined ? [value] : [...(had as string[]), value]
    else if (had === undefined) out[name] = value
    else if (!SINGLE.has(name)) out[name] = `${had as string}, ${value}`
  }
  return out as IncomingHttpHeaders
}
