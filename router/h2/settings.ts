/**
 * The HTTP/2 settings a router's server or client takes (linkerd's h2 keys on `servers[]` and
 * `client`), as the transport uses them. Config parsing (router/config/) fills them in; the
 * server (router/h2/server*.ts) and the upstream sessions (router/h2/sessions.ts) read them.
 * Absent keys take Node's defaults except where linkerd's differ (see the defaults below).
 */
import type { Settings } from 'node:http2'

/** linkerd's `maxConcurrentStreamsPerConnection` default. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1000

/** One side's HTTP/2 settings (all optional; bytes unless said). */
export interface H2Settings {
  /** SETTINGS_INITIAL_WINDOW_SIZE: each stream's flow-control window (default 65,535). */
  readonly initialStreamWindowBytes?: number
  /** SETTINGS_MAX_CONCURRENT_STREAMS the peer may open on one connection (default 1,000). */
  readonly maxConcurrentStreamsPerConnection?: number
  /** SETTINGS_MAX_FRAME_SIZE (default 16,384). */
  readonly maxFrameBytes?: number
  /** SETTINGS_HEADER_TABLE_SIZE: the HPACK table (default 4,096). */
  readonly headerTableBytes?: number
  /** SETTINGS_MAX_HEADER_LIST_SIZE: the largest header block accepted (default 65,535; 16,384 on a router server). */
  readonly maxHeaderListBytes?: number
}

/** `h2` as the SETTINGS Node sends. */
export function nodeSettings(h2: H2Settings | undefined): Settings {
  const s: Settings = {
    maxConcurrentStreams: h2?.maxConcurrentStreamsPerConnection ?? DEFAULT_MAX_CONCURRENT_STREAMS,
  }
  if (h2?.initialStreamWindowBytes !== undefined) s.initialWindowSize = h2.initialStreamWindowBytes
  if (h2?.maxFrameBytes !== undefined) s.maxFrameSize = h2.maxFrameBytes
  if (h2?.headerTableBytes !== undefined) s.headerTableSize = h2.headerTableBytes
  if (h2?.maxHeaderListBytes !== undefined) s.maxHeaderListSize = h2.maxHeaderListBytes
  return s
}

/**
 * The connection-level receive window of the router's HTTP/2 sessions, both ways (16 MiB; Node
 * leaves it at 64 KiB, which many streams of middling answers share and stall on). Each stream's
 * own window still bounds what one stream may have unread; this bounds a whole session's.
 */
export const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024

/**
 * What node:http2 lets one session hold in memory (its `maxSessionMemory`, MB), past which it
 * refuses new streams with RST_STREAM ENHANCE_YOUR_CALM. Node's 10 MB holds about 9,900 open
 * streams: a session whose peer may open more gets 2 KiB per allowed stream (a server session:
 * its `maxConcurrentStreamsPerConnection`), never less than Node's 10 MB.
 */
export function sessionMemoryMb(maxStreams: number): number {
  return Math.max(10, Math.ceil((maxStreams * 2) / 1024))
}

/**
 * The session memory of the router's sessions to endpoints (MB): they carry every stream the
 * router opens there, as many as the endpoint allows, so the bound is the router's: room for
 * 32,768 open streams (64 MB).
 */
export const UPSTREAM_SESSION_MEMORY_MB = sessionMemoryMb(32_768)
