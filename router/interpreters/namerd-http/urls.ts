/**
 * The namerd API requests the `io.l5d.namerd.http` interpreter makes (docs/namerd.md), as URLs.
 * As linkerd's client does, `dtab` is always sent on bind, even when empty.
 */
import { showDtab, showPath, type Dtab, type Path } from '../../../dtabs/index.js'
import { apiUrl } from '../../../lib/namerd-client/index.js'

/** namerd's base URL (`http://127.0.0.1:4180`) and the namespace. */
export interface NamerdTarget {
  readonly base: string
  readonly namespace: string
}

function url(t: NamerdTarget, route: string, params: Record<string, string>): string {
  return apiUrl(t.base, `${route}/${encodeURIComponent(t.namespace)}`, params)
}

/** `GET /api/1/bind/<ns>?path=…&dtab=…&watch=true`. */
export function bindUrl(t: NamerdTarget, local: Dtab, path: Path): string {
  return url(t, 'bind', { path: showPath(path), dtab: showDtab(local), watch: 'true' })
}

/** `GET /api/1/addr/<ns>?path=<id>&watch=true`. */
export function addrUrl(t: NamerdTarget, id: Path): string {
  return url(t, 'addr', { path: showPath(id), watch: 'true' })
}

/** `GET /api/1/dtabs/<ns>` (one answer: its ETag is the version). */
export function dtabOnceUrl(t: NamerdTarget): string {
  return url(t, 'dtabs', {})
}

/** `GET /api/1/dtabs/<ns>?watch=true`: the namespace's dtab. */
export function dtabUrl(t: NamerdTarget): string {
  return url(t, 'dtabs', { watch: 'true' })
}

/** `GET /api/1/delegate/<ns>?path=…&dtab=…` (one answer, no watch). */
export function delegateUrl(t: NamerdTarget, local: Dtab, path: Path): string {
  return url(t, 'delegate', { path: showPath(path), dtab: showDtab(local) })
}
