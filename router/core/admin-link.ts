/**
 * Where a router's answers to naming failures point an operator: the admin's dtab playground
 * with the name and the request's override filled in. One per process; the admin's URL is set
 * once it listens (none without an admin: `--workers`' other workers, or before it started).
 */
export class AdminLink {
  #base: string | undefined

  /** The admin's base URL, `http://127.0.0.1:9990` (`https` with `admin.tls`). */
  set(base: string): void {
    this.#base = base
  }

  /**
   * `<admin>/delegator?router=…&path=…&dtab=…` (the override only when there is one), or
   * undefined while no admin listens.
   */
  playground(router: string, path: string, dtab: string): string | undefined {
    if (this.#base === undefined) return undefined
    const q = new URLSearchParams({ router, path })
    if (dtab !== '') q.set('dtab', dtab)
    return `${this.#base}/delegator?${q.toString()}`
  }
}

/** The failures a look at the delegation explains: no route, a failed binding, no endpoints. */
export const NAMING_FAILURES: ReadonlySet<string> = new Set([
  'ERR_NO_ROUTE',
  'ERR_BIND_FAILED',
  'ERR_NO_ENDPOINTS',
])

/** An admin's base URL from where it listens (an unspecified address: loopback). */
export function adminBase(ip: string, port: number, tls: boolean): string {
  const host = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip.includes(':') ? `[${ip}]` : ip
  return `${tls ? 'https' : 'http'}://${host}:${port}`
}
