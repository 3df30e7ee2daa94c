import {
  PENDING,
  bindOnce,
  readPath,
  settle,
  splitOf,
  waitFor,
  type ActState,
  type Activity,
  type Addr,
  type BoundLeaf,
  type Dtab,
  type LeafShare,
  type NameTree,
  type Var,
} from '../../dtabs/index.js'
import { errorMessage } from '../../lib/errors.js'
import type { ApiContext } from './context.js'

/** Longest a dry run waits for the bindings and addresses of all its names to settle. */
export const DRY_RUN_SETTLE_MS = 2000

/** A name under one dtab: routes somewhere, routes nowhere, fails, or still unknown. */
export type DryState = 'bound' | 'neg' | 'fail' | 'pending'
/** What a dtab change does to a live name. */
export type DryChange = 'split' | 'neg' | 'fail' | 'pending' | 'endpoints'

/** A live name under one dtab: the share of its requests each bound id gets (0 to 1). */
export interface DrySide {
  readonly split: Readonly<Record<string, number>>
  readonly state: DryState
  readonly error?: string
}

export interface DryName {
  readonly path: string
  readonly before: DrySide
  readonly after: DrySide
  readonly changes: readonly DryChange[]
}

/** `POST /api/1/dtabs/NS/dry-run`'s answer: only the live names the change affects. */
export interface DryRunReport {
  /** The stored dtab's version (its ETag), null when there is none. */
  readonly version: string | null
  readonly live: number
  readonly untouched: number
  readonly names: readonly DryName[]
}

interface Side {
  readonly shares: ReadonlyMap<string, LeafShare>
  readonly state: DryState
  readonly error?: string
}

type Tree = ActState<NameTree<BoundLeaf>>

/**
 * What replacing namespace `ns`'s dtab with `proposed` would do to the names routers use now
 * (`Namespaces.live`): each is bound as it is (its live binding) and under `proposed` (one-shot
 * binds through the same namers and work budget), both given `ms` to settle; the splits are what
 * the router's pick would do with each tree (`splitOf`). Affected names come sorted by path.
 * Nothing is written or kept.
 */
export async function dryRun(
  cx: ApiContext,
  ns: string,
  proposed: Dtab,
  ms = DRY_RUN_SETTLE_MS,
): Promise<DryRunReport> {
  const stored = await cx.store.get(ns)
  const version = stored.type === 'found' || stored.type === 'invalid' ? stored.version : null
  const live = cx.namespaces.live(ns)
  const deadline = Date.now() + ms
  const { namers, maxNodes } = cx.namespaces
  const ctx = { dtab: proposed, namers, maxNodes }
  const names = await Promise.all(
    live.map(async ({ path, binding }): Promise<DryName> => {
      const [before, after] = await Promise.all([
        current(binding, deadline),
        settle((deps) => bindOnce(ctx, readPath(path), deps), deadline - Date.now()),
      ])
      return compare(path, sideOf(before), sideOf(after), deadline)
    }),
  )
  const affected = names.filter((n) => n.changes.length > 0).sort(byPath)
  return { version, live: live.length, untouched: live.length - affected.length, names: affected }
}

const byPath = (a: DryName, b: DryName): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

/** The live binding's state once not pending (it may need a subscriber to make progress). */
function current(binding: Activity<NameTree<BoundLeaf>>, deadline: number): Promise<Tree> {
  const ready = (s: Tree): boolean => s.type !== 'pending'
  const ms = Math.max(0, deadline - Date.now())
  return waitFor(binding, ready, ms, () => new Error('pending')).catch(() => PENDING)
}

function sideOf(state: Tree): Side {
  if (state.type === 'pending') return { shares: new Map(), state: 'pending' }
  if (state.type === 'failed')
    return { shares: new Map(), state: 'fail', error: errorMessage(state.error) }
  const shares = splitOf(state.value)
  if (shares.size > 0) return { shares, state: 'bound' }
  return { shares, state: state.value.type === 'fail' ? 'fail' : 'neg' }
}

async function compare(path: string, b: Side, a: Side, deadline: number): Promise<DryName> {
  const changes: DryChange[] = []
  if (!sameSplit(b.shares, a.shares)) changes.push('split')
  for (const s of ['neg', 'fail', 'pending'] as const)
    if (a.state === s && b.state !== s) changes.push(s)
  if (b.state === 'bound' && a.state === 'bound') {
    const [before, after] = await Promise.all([endpoints(b, deadline), endpoints(a, deadline)])
    if (before !== undefined && after !== undefined && !sameSet(before, after))
      changes.push('endpoints')
  }
  return { path, before: shown(b), after: shown(a), changes }
}

function sameSplit(x: ReadonlyMap<string, LeafShare>, y: ReadonlyMap<string, LeafShare>): boolean {
  if (x.size !== y.size) return false
  for (const [id, s] of x) if (Math.abs(s.share - (y.get(id)?.share ?? -1)) > 1e-9) return false
  return true
}

/**
 * Every endpoint a side's requests can reach (`host:port`), once each bound id's address set is
 * known; undefined if one is still pending at the deadline (the comparison is then not made).
 */
async function endpoints(side: Side, deadline: number): Promise<Set<string> | undefined> {
  const known = (a: Addr): boolean => a.type !== 'pending'
  const ms = Math.max(0, deadline - Date.now())
  const addrOf = (v: Var<Addr>): Promise<Addr> =>
    waitFor(v, known, ms, () => new Error('pending')).catch(() => ({ type: 'pending' }) as const)
  const addrs = await Promise.all([...side.shares.values()].map((s) => addrOf(s.leaf.bound.addr)))
  if (addrs.some((a) => a.type === 'pending')) return undefined
  const out = new Set<string>()
  for (const a of addrs)
    if (a.type === 'bound') for (const e of a.addrs) out.add(`${e.host}:${e.port}`)
  return out
}

function sameSet(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  return x.size === y.size && [...x].every((e) => y.has(e))
}

/** A side as JSON: shares rounded to 6 decimals (floating-point noise is not a change). */
function shown(side: Side): DrySide {
  const split = Object.fromEntries(
    [...side.shares].map(([id, s]) => [id, Math.round(s.share * 1e6) / 1e6]),
  )
  return side.error === undefined
    ? { split, state: side.state }
    : { split, state: side.state, error: side.error }
}
