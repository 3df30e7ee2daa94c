/**
 * What a test reads from a fleet router's admin server: the `io.l5d.namerd.http` interpreter's
 * streams (`/<router>/interpreter_state/io.l5d.namerd.http/<ns>.json`), the traffic split of the
 * tree it holds for a name, and its metrics; and the canary dtab the tests write.
 */
import type { NamerdInterpreterState } from '../../router/interpreters/namerd-http/state.js'
import { eventually } from '../eventually.js'
import type { ExecutionContext } from 'ava'
import { NAMESPACE, type RouterNode } from './fleet.js'
import { ask, Load } from './load.js'

/** The name the tests route (`Host: users` under the default `/svc` prefix). */
export const USERS = '/svc/users'

/**
 * The namespace's dtab with `v2Percent` % of `/svc/users` on v2 (weights `100-p` and `p`; a
 * weight 0 member stays in the union, as Finagle keeps it, and is never picked). `/svc/<name>`
 * routes to the io.l5d.fs service of that name.
 */
export function canaryDtab(v2Percent: number): string {
  const users = `${100 - v2Percent} * /#/io.l5d.fs/v1 & ${v2Percent} * /#/io.l5d.fs/v2`
  return `/svc => /#/io.l5d.fs;\n${USERS} => ${users};\n`
}

/** The router's interpreter state (its admin page; the router's label is the default `http`). */
export async function interpreterState(r: RouterNode): Promise<NamerdInterpreterState> {
  const url = `${r.admin}/http/interpreter_state/io.l5d.namerd.http/${NAMESPACE}.json`
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as NamerdInterpreterState
}

/**
 * The split of the tree router `r` holds for `path` (its bind stream's value): each bound id's
 * last segment (`v1`) → its share of the weight; undefined while there is no such stream or no
 * tree yet.
 */
export async function splitOf(
  r: RouterNode,
  path = USERS,
): Promise<Record<string, number> | undefined> {
  const state = await interpreterState(r)
  const bind = state.streams.find((s) => s.kind === 'bind' && s.path === path)
  return bind === undefined ? undefined : shares(bind.value)
}

/** Polls until router `r` holds `v2Percent` % of `/svc/users` on v2 (and the rest on v1). */
export async function untilSplit(r: RouterNode, v2Percent: number, ms = 30_000): Promise<void> {
  const want = { v1: (100 - v2Percent) / 100, v2: v2Percent / 100 }
  let last: unknown
  await eventually(
    `router ${r.name} to hold ${v2Percent} % of ${USERS} on v2`,
    async () => {
      last = await splitOf(r)
      return sameSplit(last as Record<string, number> | undefined, want)
    },
    ms,
    50,
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; it last held ${JSON.stringify(last)}`)
  })
}

/** The value of a flat `/admin/metrics.json` key ending with `suffix` (undefined if none). */
export async function metric(r: RouterNode, suffix: string): Promise<number | undefined> {
  const res = await fetch(`${r.admin}/admin/metrics.json`, { signal: AbortSignal.timeout(10_000) })
  const flat = (await res.json()) as Record<string, number>
  const key = Object.keys(flat).find((k) => k.endsWith(suffix))
  return key === undefined ? undefined : flat[key]
}

function sameSplit(got: Record<string, number> | undefined, want: Record<string, number>) {
  if (got === undefined) return false
  const keys = new Set([...Object.keys(got), ...Object.keys(want)])
  return [...keys].every((k) => Math.abs((got[k] ?? 0) - (want[k] ?? 0)) < 1e-9)
}

/** A bound tree's JSON (namerd's bind shape) as shares per id; one level of union. */
function shares(value: unknown): Record<string, number> | undefined {
  const tree = value as {
    type?: string
    bound?: { id: string }
    union?: { weight: number; tree: { bound?: { id: string } } }[]
  }
  if (tree.type === 'leaf' && tree.bound !== undefined) return { [last(tree.bound.id)]: 1 }
  if (tree.type !== 'union' || tree.union === undefined) return undefined
  const total = tree.union.reduce((sum, m) => sum + m.weight, 0)
  const out: Record<string, number> = {}
  for (const m of tree.union) {
    const id = m.tree.bound?.id
    if (id !== undefined) out[last(id)] = (out[last(id)] ?? 0) + m.weight / total
  }
  return out
}

function last(id: string): string {
  return id.split('/').pop() ?? id
}

/**
 * The start of a canary: every router answers `users` with v1 and holds the 0 % tree. Gives
 * one Load per router.
 */
export async function loadsOnV1(
  t: ExecutionContext,
  routers: readonly RouterNode[],
): Promise<Load[]> {
  for (const r of routers) {
    const first = await ask(r.port, 'users')
    t.is(`${first.status} ${first.body}`, '200 v1', `router ${r.name}: ${first.err}`)
    await untilSplit(r, 0)
  }
  return routers.map((r) => new Load(t, r.port))
}
