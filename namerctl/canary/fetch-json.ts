import { errorMessage } from '../../lib/errors.js'
import { FiguresError } from './errors.js'

/**
 * Fetches `url` and parses its JSON body, within `timeoutMs` (or until `signal` aborts). No
 * answer is `ERR_FIGURES_UNREACHABLE`; a body that is not JSON is `ERR_FIGURES_RESPONSE`. The
 * status is returned with the body: what a non-2xx status means is the caller's to say.
 */
export async function fetchJson(
  url: string,
  init: RequestInit & { readonly timeoutMs: number },
): Promise<{ status: number; body: unknown }> {
  const signal = AbortSignal.any([
    AbortSignal.timeout(init.timeoutMs),
    ...(init.signal == null ? [] : [init.signal]),
  ])
  let res: Response
  let text: string
  try {
    res = await fetch(url, { ...init, signal })
    text = await res.text()
  } catch (e) {
    const why =
      signal.aborted && !(init.signal?.aborted ?? false)
        ? `no answer within ${init.timeoutMs} ms`
        : errorMessage(causeOf(e))
    throw new FiguresError('ERR_FIGURES_UNREACHABLE', `${url}: ${why}`, { cause: e })
  }
  try {
    return { status: res.status, body: JSON.parse(text) as unknown }
  } catch {
    const head = text.slice(0, 200)
    throw new FiguresError('ERR_FIGURES_RESPONSE', `${url}: ${res.status}, not JSON: ${head}`)
  }
}

/** fetch's `TypeError: fetch failed` hides the reason (ECONNREFUSED…) in its cause. */
function causeOf(e: unknown): unknown {
  return e instanceof Error && e.cause !== undefined ? e.cause : e
}
