/**
 * Prometheus text as linkerd's `PrometheusTelemeter` writes it. Scrape-time only; the work per
 * entry is kept small (labels are formatted once per stat object) because a scrape blocks the
 * event loop the data path runs on.
 */
import type { Summary } from './histogram.js'
import { micros, type Entry } from './entry.js'
import { bucketLines } from './cumulative.js'

/**
 * Prometheus text in linkerd's layout: path segments joined with `:`, `rt/<r>` and
 * `rt/{server,service,client}/<id>` (and `rt/client/<id>/service/<svc>`) lifted into labels,
 * `…/failures/<exn>` into an `exception` label, stats as `_count _sum _avg` and quantile lines
 * (left out while empty), labels as `{k="v", k2="v2"}`, no HELP or TYPE lines. Lines are
 * grouped by metric name, first appearance first. Unlike linkerd, label values are escaped as
 * the exposition format says (`\\`, `\"`, `\n`). With `buckets`, a stat that keeps cumulative
 * buckets (the latency of servers, services and clients) also gets `_bucket` lines (cumulative.ts).
 */
export function formatPrometheus(
  entries: readonly Entry[],
  prefix = '',
  opts: { readonly buckets?: boolean } = {},
): string {
  const groups = new Map<string, string[]>()
  const add = (name: string, line: string): void => {
    const group = groups.get(name)
    if (group === undefined) groups.set(name, [line])
    else group.push(line)
  }
  const last: ParentCache = { path: [], rendered: { name: '', labels: '' }, lifted: EMPTY }
  for (const e of entries) {
    const { name, labels } = render(e.path, prefix, last)
    const braced = labels === '' ? '' : `{${labels}}`
    if (e.kind !== 'stat') {
      const value = e.kind === 'counter' ? String(e.value) : javaDouble(e.value)
      add(name, `${name}${braced} ${value}`)
      continue
    }
    if (opts.buckets === true && e.cumulative !== undefined) {
      bucketLines(name, labels, e.cumulative, add)
    }
    const s = e.summary
    if (s === undefined || s.count === 0) continue
    add(`${name}_count`, `${name}_count${braced} ${s.count}`)
    add(`${name}_sum`, `${name}_sum${braced} ${micros(s.sum)}`)
    add(`${name}_avg`, `${name}_avg${braced} ${javaDouble(micros(s.avg))}`)
    const open = labels === '' ? `${name}{quantile="` : `${name}{${labels}, quantile="`
    for (const [q, v] of quantiles(s)) add(name, `${open}${q}"} ${micros(v)}`)
  }
  let out = ''
  for (const lines of groups.values()) out += lines.join('\n') + '\n'
  return out
}

type Label = readonly [string, string]

/** A path after linkerd's rewriting: name segments and labels. */
interface Lifted {
  readonly segs: readonly string[]
  readonly labels: readonly Label[]
}

/** A path as text: the escaped metric name and the label list without braces. */
interface Rendered {
  readonly name: string
  readonly labels: string
}

/** The rendering of the last parent path seen: consecutive entries share their parent. */
interface ParentCache {
  path: readonly string[]
  rendered: Rendered
  lifted: Lifted
}

/**
 * Renders `path`, reusing the rendering of its parent (the stat object's scope, shared by all
 * its leaves, which come one after the other); only a leaf that triggers a rewrite
 * (`failures/<exn>`) is lifted in full.
 */
function render(path: readonly string[], prefix: string, last: ParentCache): Rendered {
  const n = path.length - 1
  if (!sameParent(last.path, path)) {
    last.path = path
    last.lifted = path.slice(0, n).reduce(grow, EMPTY)
    last.rendered = toText(last.lifted, prefix)
  }
  const leaf = path[n]
  if (leaf === undefined) return last.rendered
  const stepped = step(last.lifted, leaf)
  if (stepped !== undefined) return toText(stepped, prefix)
  if (last.lifted.segs.length === 0) return { name: escapeName(prefix + leaf), labels: '' }
  return { name: `${last.rendered.name}:${escapeName(leaf)}`, labels: last.rendered.labels }
}

function sameParent(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length - 1; i++) if (a[i] !== b[i]) return false
  return true
}

const EMPTY: Lifted = { segs: [], labels: [] }

function grow(s: Lifted, seg: string): Lifted {
  return step(s, seg) ?? { segs: [...s.segs, seg], labels: s.labels }
}

const STACKS = new Set(['server', 'service', 'client'])

/**
 * linkerd's rewriting, as the path grows by `seg`: `rt/<r>` → label `rt`;
 * `rt/{server,service,client}/<id>` → that label; `rt/client/service/<svc>` → `service`;
 * `rt/<stack>/failures/<exn>` (and `exn/<e>` → `exceptions`) → label `exception`, nested names
 * joined with `:`. Undefined when no rule applies (the segment is simply appended).
 */
function step(s: Lifted, seg: string): Lifted | undefined {
  const n = s.segs.length + 1
  if (s.segs[0] !== 'rt' || n > 4) return undefined
  const [, b = seg, c = seg] = s.segs
  const has = (k: string): boolean => s.labels.some(([l]) => l === k)
  if (n === 2 && !has('rt')) return { segs: ['rt'], labels: [...s.labels, ['rt', seg]] }
  if (n === 3 && STACKS.has(b) && !has(b)) {
    return { segs: ['rt', b], labels: [...s.labels, [b, seg]] }
  }
  if (n === 4 && b === 'client' && c === 'service' && !has('service')) {
    return { segs: ['rt', 'client', 'service'], labels: [...s.labels, ['service', seg]] }
  }
  if (n === 4 && STACKS.has(b) && (c === 'failures' || c === 'exn')) {
    const segs = ['rt', b, c === 'exn' ? 'exceptions' : 'failures']
    return { segs, labels: withException(s.labels, seg) }
  }
  return undefined
}

/** Nested exception scopes join with `:` (`exception="a:b"`), as linkerd does. */
function withException(labels: readonly Label[], exn: string): Label[] {
  const i = labels.findIndex(([k]) => k === 'exception')
  if (i === -1) return [...labels, ['exception', exn]]
  return labels.map((l, j) => (j === i ? ['exception', `${l[1]}:${exn}`] : l))
}

function toText(l: Lifted, prefix: string): Rendered {
  return {
    name: escapeName(prefix + l.segs.join(':')),
    labels: l.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(', '),
  }
}

const UNSAFE_NAME = /[^a-zA-Z0-9:]/g
const UNSAFE_VALUE = /[\\"\n]/

/** Any character outside [a-zA-Z0-9:] becomes `_`. */
function escapeName(name: string): string {
  UNSAFE_NAME.lastIndex = 0
  return UNSAFE_NAME.test(name) ? name.replace(UNSAFE_NAME, '_') : name
}

function escapeLabelValue(v: string): string {
  if (!UNSAFE_VALUE.test(v)) return v
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
}

/** Quantile label values and summary fields, in linkerd's order. */
function quantiles(s: Summary): [string, number][] {
  return [
    ['0', s.min],
    ['0.5', s.p50],
    ['0.9', s.p90],
    ['0.95', s.p95],
    ['0.99', s.p99],
    ['0.999', s.p9990],
    ['0.9999', s.p9999],
    ['1', s.max],
  ]
}

/** Java's rendering of floating values (linkerd gauges and `_avg`): `1.0`, `2.5`. */
function javaDouble(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return `${v}.0`
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}
