/**
 * The delegator (admin `/delegator.json`) of `io.l5d.namerd.http`: one `GET /api/1/delegate`
 * to namerd, whose JSON is already the shape the admin page serves.
 */
import type { Dtab, Path } from '../../../dtabs/index.js'
import { errorMessage } from '../../../lib/errors.js'
import { RouterError } from '../../errors.js'
import { delegateUrl, type NamerdTarget } from './urls.js'

/**
 * namerd's explanation of `path` with the override `local`. namerd unreachable (or silent for
 * `timeoutMs`) is `ERR_NAMERD_UNREACHABLE`; any answer but a 200 with JSON is
 * `ERR_BIND_FAILED` carrying namerd's status and message.
 */
export async function delegateThroughNamerd(
  target: NamerdTarget,
  local: Dtab,
  path: Path,
  timeoutMs: number,
): Promise<unknown> {
  let res: Response
  let text: string
  try {
    res = await fetch(delegateUrl(target, local, path), {
      signal: AbortSignal.timeout(timeoutMs),
    })
    text = await res.text()
  } catch (e) {
    const why = errorMessage((e as { cause?: unknown }).cause ?? e)
    const message = `namerd at ${new URL(target.base).host} is unreachable: ${why}`
    throw new RouterError('ERR_NAMERD_UNREACHABLE', message, { cause: e })
  }
  if (res.status !== 200) {
    throw new RouterError('ERR_BIND_FAILED', `namerd answered ${res.status}: ${text.trim()}`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new RouterError(
      'ERR_BIND_FAILED',
      `namerd answered with text that is not JSON: ${text.slice(0, 200)}`,
    )
  }
}
