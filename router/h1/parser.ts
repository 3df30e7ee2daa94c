/**
 * Node's own HTTP/1.1 parser (the native llhttp binding behind `node:http`), for upstream
 * responses and downstream requests. `_http_common` is how node:http reaches it; using it directly costs a fraction of
 * what a JavaScript or WebAssembly parser costs per response (measured: benchmarks/README.md).
 */
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'

/** The parts of the binding the client uses (node:http's own usage, Node 20–22). */
export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void
  /** Bytes parsed, or an Error (`code` HPE_…) for a malformed message. */
  execute(data: Buffer): number | Error
  /** End of input: completes a response delimited by the connection's end. */
  finish(): undefined | Error
  free(): void
  /** Reads of a stream handle go straight into the parser (results through kOnExecute). */
  consume(handle: object): void
  unconsume(): void
  [key: number]: unknown
}

interface ParserClass {
  new (): NativeParser
  readonly RESPONSE: number
  readonly REQUEST: number
  readonly kOnMessageBegin: number
  readonly kOnHeaders: number
  readonly kOnHeadersComplete: number
  readonly kOnBody: number
  readonly kOnMessageComplete: number
  readonly kOnExecute: number
}

const common = createRequire(import.meta.url)('_http_common') as {
  HTTPParser: ParserClass
  methods: readonly string[]
}
export const HTTPParser = common.HTTPParser
/** Method names by the parser's method number. */
const METHODS = common.methods

/** What a response parser reports (node:http's callback order). */
export interface ParserEvents {
  /** Header fields that arrived before the head was complete (long heads come in pieces). */
  headers(fields: string[]): void
  /** The head; return true to skip the body (a response to HEAD). */
  head(status: number, fields: string[] | undefined, keepAlive: boolean): boolean
  body(chunk: Buffer): void
  complete(): void
}

/** A response parser wired to `events`. */
export function responseParser(events: ParserEvents): NativeParser {
  const p = new HTTPParser()
  p.initialize(HTTPParser.RESPONSE, {}, 0, 0)
  p[HTTPParser.kOnHeaders] = (fields: string[]) => events.headers(fields)
  p[HTTPParser.kOnHeadersComplete] = (
    _major: number,
    _minor: number,
    fields: string[] | undefined,
    _method: unknown,
    _url: unknown,
    status: number,
    _message: unknown,
    _upgrade: boolean,
    keepAlive: boolean,
  ) => (events.head(status, fields, keepAlive) ? 1 : 0)
  p[HTTPParser.kOnBody] = (chunk: Buffer) => events.body(chunk)
  p[HTTPParser.kOnMessageComplete] = () => events.complete()
  return p
}

/** What a request parser reports. */
export interface RequestEvents {
  /** A new message starts (its first byte arrived). */
  begin(): void
  /** Header fields (and URL pieces) that arrived before the head was complete. */
  headers(fields: string[], url: string): void
  /** The head; `fields`/`url` are undefined when they came through `headers` first. */
  head(
    method: string,
    url: string | undefined,
    fields: string[] | undefined,
    version: string,
    upgrade: boolean,
    keepAlive: boolean,
  ): void
  body(chunk: Buffer): void
  complete(): void
}

/** A request parser wired to `events`; heads larger than `maxHeaderBytes` fail HPE_HEADER_OVERFLOW. */
export function requestParser(events: RequestEvents, maxHeaderBytes: number): NativeParser {
  const p = new HTTPParser()
  p.initialize(HTTPParser.REQUEST, {}, maxHeaderBytes, 0)
  p[HTTPParser.kOnMessageBegin] = () => events.begin()
  p[HTTPParser.kOnHeaders] = (fields: string[], url: string) => events.headers(fields, url)
  p[HTTPParser.kOnHeadersComplete] = (
    major: number,
    minor: number,
    fields: string[] | undefined,
    method: number,
    url: string | undefined,
    _status: unknown,
    _message: unknown,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    const version = major === 1 && minor === 1 ? '1.1' : `${major}.${minor}`
    events.head(METHODS[method] ?? 'GET', url, fields, version, upgrade, keepAlive)
    return 0
  }
  p[HTTPParser.kOnBody] = (chunk: Buffer) => events.body(chunk)
  p[HTTPParser.kOnMessageComplete] = () => events.complete()
  return p
}

/** How reading is paused and resumed once the parser reads a socket itself. */
export interface SocketFeed {
  pause(): void
  resume(): void
  /** Gives the socket's reads back (before the parser is freed). */
  release(): void
}

interface StreamHandle {
  readonly isStreamBase?: boolean
  _consumed?: boolean
  readStart(): number
  readStop(): number
}

/**
 * Lets `parser` read `socket` natively, as node:http's server does: reads land in one reused
 * buffer and go straight to the parser, with no Buffer and no 'data' event per read (far less
 * for the garbage collector; measured: benchmarks/README.md). `onExecute` gets each read's
 * result (bytes parsed, or the parse Error). End of stream and errors still reach the socket.
 * Undefined if the socket's handle cannot be consumed (then feed it 'data' events).
 */
export function consumeSocket(
  parser: NativeParser,
  socket: Socket,
  onExecute: (result: number | Error) => void,
): SocketFeed | undefined {
  const handle = (socket as unknown as { _handle?: StreamHandle })._handle
  if (handle?.isStreamBase !== true || handle._consumed === true) return undefined
  handle._consumed = true
  parser[HTTPParser.kOnExecute] = onExecute
  parser.consume(handle)
  return {
    pause: () => void (socket.destroyed || handle.readStop()),
    resume: () => void (socket.destroyed || handle.readStart()),
    release: () => parser.unconsume(),
  }
}
