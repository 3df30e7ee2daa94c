/**
 * The small client of Prometheus's HTTP API that the figures need: one instant query
 * (`POST /api/v1/query`, form-encoded, so that long selectors fit) returning a vector.
 */
import { withoutControls } from '../../lib/control-characters.js'
import { FiguresError } from './errors.js'
import { fetchJson } from './fetch-json.js'

/** One series of an instant vector: its labels (`__name__` included) and its value. */
export interface Sample {
  readonly metric: Readonly<Record<string, string>>
  readonly value: number
}

/**
 * Runs `query` at Prometheus's present time on the server at `base` (`http://prom:9090`, a path
 * prefix allowed). Prometheus's own error (`bad_data: parse error…`) is quoted in an
 * `ERR_FIGURES_RESPONSE` naming the URL; no answer within `timeoutMs` is
 * `ERR_FIGURES_UNREACHABLE`.
 */
export async function instantQuery(
  base: string,
  query: string,
  opts: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<Sample[]> {
  const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`).href
  const { status, body } = await fetchJson(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query }).toString(),
    timeoutMs: opts.timeoutMs,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  })
  const doc = body as { status?: unknown; errorType?: unknown; error?: unknown; data?: unknown }
  if (doc.status !== 'success') {
    const raw = typeof doc.error === 'string' ? `${String(doc.errorType)}: ${doc.error}` : status
    const why = withoutControls(String(raw).slice(0, 500))
    throw new FiguresError('ERR_FIGURES_RESPONSE', `Prometheus at ${url}: ${why}`)
  }
  return vectorOf(url, doc.data)
}

function vectorOf(url: string, data: unknown): Sample[] {
  const d = data as { resultType?: unknown; result?: unknown }
  if (d?.resultType !== 'vector' || !Array.isArray(d.result)) {
    throw new FiguresError('ERR_FIGURES_RESPONSE', `Prometheus at ${url}: not a vector`)
  }
  return d.result.map((r: { metric?: unknown; value?: unknown }) => {
    const v = Array.isArray(r.value) ? Number(r.value[1]) : NaN
    const labels = typeof r.metric === 'object' && r.metric !== null ? Object.values(r.metric) : []
    const ok =
      typeof r.metric === 'object' &&
      r.metric !== null &&
      labels.every((l) => typeof l === 'string')
    // Counts only: a negative or infinite value is no router's (Infinity minus Infinity is NaN).
    if (!ok || !Number.isFinite(v) || v < 0) {
      throw new FiguresError('ERR_FIGURES_RESPONSE', `Prometheus at ${url}: a malformed sample`)
    }
    return { metric: r.metric as Record<string, string>, value: v }
  })
}
