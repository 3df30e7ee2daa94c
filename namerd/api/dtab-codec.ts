import { dtabToJson, readDtab, readDtabJson, showDtab, type Dtab } from '../../dtabs/index.js'
import { ApiError } from './errors.js'

/**
 * The encodings of a dtab over the API: namerd's JSON dentries, dtab text, or (ours, asked for by
 * namerctl's `watch`) `{"version","dtab"}`, the version with each document of a watch stream.
 */
export type DtabMedia = 'application/json' | 'application/dtab' | 'text/plain' | typeof VERSIONED

/** Our media type: namerctl's `get --json` shape, so that a watch carries each version. */
export const VERSIONED = 'application/vnd.namerd.versioned+json'

const MEDIA: readonly DtabMedia[] = [
  'application/json',
  'application/dtab',
  'text/plain',
  VERSIONED,
]

/**
 * The response encoding for an `Accept` header: the first of the client's types (in its order)
 * that namerd can write; `*\/*`, `application/*` or nothing acceptable mean JSON, as in linkerd.
 */
export function chooseMedia(accept: string | undefined): DtabMedia {
  for (const part of (accept ?? '').split(',')) {
    const type = (part.split(';', 1)[0] ?? '').trim().toLowerCase()
    const media = MEDIA.find((m) => m === type)
    if (media !== undefined) return media
    if (type === '*/*' || type === 'application/*') return 'application/json'
  }
  return 'application/json'
}

/** The dtab (at `version`) as a response body in `media`, with linkerd's trailing newline. */
export function encodeDtab(dtab: Dtab, media: DtabMedia, version: string): string {
  if (media === 'application/json') return `${JSON.stringify(dtabToJson(dtab))}\n`
  if (media === VERSIONED) return `${JSON.stringify({ version, dtab: dtabToJson(dtab) })}\n`
  return `${showDtab(dtab)}\n`
}

/**
 * A request body as a dtab, by its `Content-Type` (`application/dtab` or `text/plain`: the dtab
 * language; `application/json`: namerd's dentries). Parse errors keep their codes (400).
 */
export function decodeDtab(body: string, contentType: string | undefined): Dtab {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/json') return readDtabJson(body)
  if (type === 'application/dtab' || type === 'text/plain') return readDtab(body)
  throw new ApiError(
    'ERR_API_INPUT',
    `Invalid Content-Type "${contentType ?? ''}": use application/dtab, text/plain or application/json`,
  )
}
