/**
 * The delegator (admin `/delegator.json`) of `io.l5d.namerd.http`: one `GET /api/1/delegate`
 * to namerd, whose JSON is already the shape the admin page serves.
 */
import type { Dtab, Path } from '../../../dtabs/index.js'
import { send, type HttpReply, type NamerdTls } from '../../../lib/namerd-client/index.js'
import { RouterError } from '../../errors.js'
import { delegateUrl, dtabOnceUrl, type NamerdTarget } from './urls.js'

/**
 * namerd's explanation of `path` with the override `local`. namerd unreachable (or silent for
 * `timeoutMs`) is `ERR_NAMERD_UNREACHABLE`; any answer but a 200 with JSON is
 * `ERR_BIND_FAILED` carrying namerd's status and message.
 */
export async function delegateThroughNamerd(
  target: NamerdTarget & { readonly tls?: NamerdTls | undefined },
  local: Dtab,
  path: Path,
  timeoutMs: number,
): Promise<unknown> {
  let reply: HttpReply
  try {
    reply = await send({ url: delegateUrl(target, local, path), timeoutMs, tls: target.tls })
  } catch (e) {
    throw new RouterError('ERR_NAMERD_UNREACHABLE', (e as Error).message, { cause: e })
  }
  if (reply.status !== 200) {
    const message = `namerd answered ${reply.status}: ${reply.body.trim()}`
    throw new RouterError('ERR_BIND_FAILED', message)
  }
  try {
    return JSON.parse(reply.body) as unknown
  } catch {
    throw new RouterError(
      'ERR_BIND_FAILED',
      `namerd answered with text that is not JSON: ${reply.body.slice(0, 200)}`,
    )
  }
}

/**
 * The version (ETag) namerd holds now for the target's namespace: one `GET /api/1/dtabs/<ns>`.
 * Undefined when namerd does not answer 200 or sends no ETag (linkerd's namerd has versions
 * too); never throws (the admin page shows the dtab without it).
 */
export async function namerdVersion(
  target: NamerdTarget & { readonly tls?: NamerdTls | undefined },
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const headers = { accept: 'application/dtab' }
    const reply = await send({ url: dtabOnceUrl(target), headers, timeoutMs, tls: target.tls })
    return reply.status === 200 ? reply.headers['etag'] : undefined
  } catch {
    return undefined
  }
}
