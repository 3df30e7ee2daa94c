// When does the router route by the new dtab? Its admin page for the io.l5d.namerd.http
// interpreter shows the bound tree its bind stream last got from namerd; a canary step is
// measured from the moment that tree has the step's weights.
import { performance } from 'node:perf_hooks'
import { get } from './http.mjs'

/** The share of requests `tree` (a bound tree, as namerd's JSON) sends to users-v2; NaN if none. */
export function v2Share(tree) {
  switch (tree?.type) {
    case 'leaf':
      if (tree.bound?.id?.endsWith('/users-v2')) return 1
      return tree.bound?.id?.endsWith('/users-v1') ? 0 : NaN
    case 'union': {
      const members = tree.union.filter((m) => m.weight > 0)
      const total = members.reduce((sum, m) => sum + m.weight, 0)
      return members.reduce((sum, m) => sum + (m.weight / total) * v2Share(m.tree), 0)
    }
    case 'alt':
      // The first alternative that resolves is the one requests take.
      return tree.alt.map(v2Share).find((s) => !Number.isNaN(s)) ?? NaN
    default:
      return NaN
  }
}

/**
 * Polls the router's interpreter_state page until the bind stream of `path` sends `percent`%
 * to v2; resolves with the milliseconds it took. Fails after `ms`.
 */
export async function routerFollows(stateUrl, path, percent, ms = 20_000) {
  const started = performance.now()
  let seen = 'no bind stream yet'
  for (;;) {
    const state = await get(stateUrl).then(
      (r) => (r.status === 200 ? JSON.parse(r.body) : undefined),
      () => undefined,
    )
    const stream = state?.streams?.find((s) => s.kind === 'bind' && s.path === path)
    if (stream !== undefined) {
      const share = v2Share(stream.value)
      if (Math.abs(share * 100 - percent) < 1e-6) return performance.now() - started
      seen = Number.isNaN(share) ? JSON.stringify(stream.value) : `${(share * 100).toFixed(1)}%`
    }
    if (performance.now() - started > ms) {
      throw new Error(`the router did not follow namerd to ${percent}% within ${ms} ms (${seen})`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}
