/**
 * The test's own view of namerd, over its HTTP API (never through namerctl): what a dtab is and
 * its version, and writes made by "someone else".
 */

/** A dentry as namerd's JSON gives it. */
export interface JsonDentry {
  readonly prefix: string
  readonly dst: string
}

/** A stored dtab: its version (the ETag) and dentries. */
export interface Stored {
  readonly version: string
  readonly dtab: JsonDentry[]
}

/** Direct access to one namerd's `/api/1`. */
export class NamerdApi {
  constructor(readonly base: string) {}

  /** The dtab and its ETag, or undefined for 404. */
  async get(ns: string): Promise<Stored | undefined> {
    const r = await fetch(`${this.base}/api/1/dtabs/${ns}`, {
      headers: { accept: 'application/json' },
    })
    if (r.status === 404) return (await r.text(), undefined)
    if (r.status !== 200) throw new Error(`GET ${ns}: ${r.status} ${await r.text()}`)
    return { version: r.headers.get('etag') ?? '', dtab: (await r.json()) as JsonDentry[] }
  }

  /** The dtab, which must exist. */
  async must(ns: string): Promise<Stored> {
    const s = await this.get(ns)
    if (s === undefined) throw new Error(`dtab ${ns} does not exist`)
    return s
  }

  /** Creates or replaces `ns` with dtab text (no If-Match); returns the new version. */
  async put(ns: string, text: string): Promise<Stored> {
    const r = await fetch(`${this.base}/api/1/dtabs/${ns}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/dtab' },
      body: text,
      signal: AbortSignal.timeout(15_000),
    })
    if (r.status !== 204) throw new Error(`PUT ${ns}: ${r.status} ${await r.text()}`)
    return this.must(ns)
  }

  /** The namespace list. */
  async list(): Promise<string[]> {
    return (await (await fetch(`${this.base}/api/1/dtabs`)).json()) as string[]
  }

  /** The raw body of a GET under `/api/1` (delegate, bind), with its status. */
  async raw(pathAndQuery: string): Promise<{ status: number; body: string }> {
    const r = await fetch(`${this.base}/api/1/${pathAndQuery}`)
    return { status: r.status, body: await r.text() }
  }
}
