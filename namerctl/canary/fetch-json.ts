import { errorMessage } from '../../lib/errors.js'
import { withoutControls } from '../../lib/control-characters.js'
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
    text = await cappedText(res, url)
  } catch (e) {
    if (e instanceof FiguresError) throw e
    const why =
      signal.aborted && !(init.signal?.aborted ?? false)
        ? `no answer within ${init.timeoutMs} ms`
        : errorMessage(causeOf(e))
    throw new FiguresError('ERR_FIGURES_UNREACHABLE', `${url}: ${why}`, { cause: e })
  }
  try {
    return { status: res.status, body: JSON.parse(text) as unknown }
  } catch {
    const head = withoutControls(text.slice(0, 200))
    throw new FiguresError('ERR_FIGURES_RESPONSE', `${url}: ${res.status}, not JSON: ${head}`)
  }
}

/** The most of a body read (a broken or hostile server must not exhaust memory). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024

/** The body as text, refused past MAX_BODY_BYTES (`ERR_FIGURES_RESPONSE`). */
async function cappedText(res: Response, url: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).length
    if (size > MAX_BODY_BYTES) {
      await res.body?.cancel()
      throw new FiguresError('ERR_FIGURES_RESPONSE', `${url}: a body over ${MAX_BODY_BYTES} bytes`)
    }
    chunks.push(Buffer.from(chunk as Uint8Array))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** fetch's `TypeError: fetch failed` hides the reason (ECONNREFUSED…) in its cause. */
function causeOf(e: unknown): unknown {
  return e instanceof Error && e.cause !== undefined ? e.cause : e
}
