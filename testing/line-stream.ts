/** A streaming HTTP response read line by line (watch streams), for tests and benchmarks. */
export interface LineStream {
  readonly res: Response
  /** Every complete line so far, blank heartbeat lines included. */
  readonly lines: string[]
  /** The first `n` lines, waiting up to `ms` for them (fewer if they do not come). */
  next(n: number, ms?: number): Promise<string[]>
  /** Resolves when the response body has ended (the server closed it, or `close`). */
  readonly ended: Promise<void>
  /** Aborts the request and waits for the reader to stop. */
  close(): Promise<void>
}

export async function openLines(
  url: string,
  headers: Record<string, string> = {},
): Promise<LineStream> {
  const ac = new AbortController()
  const res = await fetch(url, { headers, signal: ac.signal })
  if (res.body === null) throw new Error(`${url}: no body`)
  const reader = res.body.getReader()
  const lines: string[] = []
  let buf = ''
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done || value === undefined) return
      buf += Buffer.from(value).toString()
      const parts = buf.split('\n')
      buf = parts.pop() ?? ''
      lines.push(...parts)
    }
  })()
  const next = async (n: number, ms = 5000): Promise<string[]> => {
    const deadline = Date.now() + ms
    while (lines.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    return lines.slice(0, n)
  }
  const close = async (): Promise<void> => {
    ac.abort()
    await pump
  }
  return { res, lines, next, close, ended: pump }
}
