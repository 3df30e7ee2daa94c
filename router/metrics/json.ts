/**
 * `/admin/metrics.json` as linkerd's `AdminMetricsExportTelemeter` writes it: flat
 * (`{"rt/r1/server/0.0.0.0/4140/requests": 3}`) or as a tree (`tree=1`), of everything or of the
 * subtree at `q`. Scrape-time only; the JSON text is written directly (the dashboard polls this
 * once a second, on the event loop the data path runs on).
 */
import { micros, type Entry } from './entry.js'

/** A node of the metrics tree: at most one metric, and children by segment. */
export interface MetricsNode {
  entry?: Entry
  readonly children: Map<string, MetricsNode>
}

/** The tree of `entries` (linkerd's `MetricsTree`), children in insertion order. */
export function buildTree(entries: readonly Entry[]): MetricsNode {
  const root: MetricsNode = { children: new Map() }
  for (const e of entries) {
    let node = root
    for (const seg of e.path) {
      let child = node.children.get(seg)
      if (child === undefined) {
        child = { children: new Map() }
        node.children.set(seg, child)
      }
      node = child
    }
    node.entry = e
  }
  return root
}

/**
 * The subtree at `q` (`rt/r1/server`), or undefined. Empty segments are ignored, and a segment
 * that itself holds `/` (`0.0.0.0/4140`, `svc/foo`) is matched by trying the shortest join
 * first, so every key the flat output shows can be queried (linkerd splits `q` on every `/`).
 */
export function resolveTree(node: MetricsNode, q: string): MetricsNode | undefined {
  return resolveParts(
    node,
    q.split('/').filter((s) => s !== ''),
  )
}

function resolveParts(node: MetricsNode, parts: readonly string[]): MetricsNode | undefined {
  if (parts.length === 0) return node
  for (let k = 1; k <= parts.length; k++) {
    const child = node.children.get(parts.slice(0, k).join('/'))
    const found = child === undefined ? undefined : resolveParts(child, parts.slice(k))
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The flat form, keys relative to `node` and joined with `/`; `pretty` sorts the keys and puts
 * one per line, indented by two spaces.
 */
export function flatJson(node: MetricsNode, pretty = false): string {
  const fields: [string, string][] = []
  const walk = (n: MetricsNode, prefix: string): void => {
    if (n.entry !== undefined) metricFields(prefix, n.entry, fields)
    for (const [seg, child] of n.children) walk(child, prefix === '' ? seg : `${prefix}/${seg}`)
  }
  walk(node, '')
  if (!pretty) return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`
  if (fields.length === 0) return '{}'
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{\n${fields.map(([k, v]) => `  ${JSON.stringify(k)}: ${v}`).join(',\n')}\n}`
}

/** The nested form (`tree=1`): each node may carry `counter`, `gauge` or `stat.*` keys. */
export function treeJson(node: MetricsNode, pretty = false): string {
  const write = (n: MetricsNode, indent: string): string => {
    const fields: [string, string][] = []
    if (n.entry !== undefined) metricFields(n.entry.kind, n.entry, fields)
    const inner = pretty ? `${indent}  ` : ''
    for (const [seg, child] of n.children) fields.push([seg, write(child, inner)])
    if (fields.length === 0) return '{}'
    if (!pretty) return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`
    const lines = fields.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${v}`)
    return `{\n${lines.join(',\n')}\n${indent}}`
  }
  return write(node, '')
}

/** linkerd's metric fields: a stat is `.count`, plus the rest once it has values. */
function metricFields(name: string, e: Entry, out: [string, string][]): void {
  if (e.kind !== 'stat') {
    out.push([name, number(e.value)])
    return
  }
  const s = e.summary
  if (s === undefined) return
  out.push([`${name}.count`, number(s.count)])
  if (s.count === 0) return
  out.push(
    [`${name}.max`, number(micros(s.max))],
    [`${name}.min`, number(micros(s.min))],
    [`${name}.p50`, number(micros(s.p50))],
    [`${name}.p90`, number(micros(s.p90))],
    [`${name}.p95`, number(micros(s.p95))],
    [`${name}.p99`, number(micros(s.p99))],
    [`${name}.p9990`, number(micros(s.p9990))],
    [`${name}.p9999`, number(micros(s.p9999))],
    [`${name}.sum`, number(micros(s.sum))],
    [`${name}.avg`, number(micros(s.avg))],
  )
}

/** A JSON number (NaN and infinities, which JSON lacks, as null). */
function number(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null'
}
