/**
 * How the documents of the interpreter's three kinds of stream become values (stream-var.ts
 * `StreamCodec`): bind trees, address sets, the namespace's dtab.
 */
import {
  failed,
  ok,
  readDtabJson,
  addrFromJson,
  addrToJson,
  boundTreeToJson,
  showDtab,
  type ActState,
  type Addr,
  type BoundLeaf,
  type Dtab,
  type NameTree,
} from '../../../dtabs/index.js'

type BoundTree = NameTree<BoundLeaf>

/**
 * namerd stamps a union member's weight into the bind document's addr meta
 * (`namer_nametree_weight`); the addr stream has no such stamp. Dropping it from the seed
 * spares every id one spurious address change when its own stream first answers.
 */
export function withoutWeightStamp(addr: Addr): Addr {
  if (addr.type !== 'bound' || addr.meta === undefined) return addr
  if (!('namer_nametree_weight' in addr.meta)) return addr
  const rest = Object.fromEntries(
    Object.entries(addr.meta).filter(([key]) => key !== 'namer_nametree_weight'),
  )
  return Object.keys(rest).length === 0
    ? { type: 'bound', addrs: addr.addrs }
    : { type: 'bound', addrs: addr.addrs, meta: rest }
}

function namerdFailed<T>(e: { code: string; message: string }): ActState<T> {
  return failed(new Error(`namerd: ${e.message} (${e.code})`))
}

function showState<T>(state: ActState<T>, show: (value: T) => unknown): unknown {
  if (state.type === 'ok') return show(state.value)
  return state.type === 'failed' ? { failed: state.error.message } : 'pending'
}

/** Bind streams (`decode` is the interpreter's: it links leaves to addr streams). */
export const BIND_CODEC = {
  failed: namerdFailed<BoundTree>,
  show: (s: ActState<BoundTree>) => showState(s, boundTreeToJson),
}

export const ADDR_CODEC = {
  decode: (doc: unknown): Addr => addrFromJson(doc),
  failed: (e: { code: string; message: string }): Addr => ({
    type: 'failed',
    cause: `namerd: ${e.message} (${e.code})`,
  }),
  show: addrToJson,
}

export const DTAB_CODEC = {
  decode: (doc: unknown): ActState<Dtab> => ok(readDtabJson(JSON.stringify(doc))),
  failed: namerdFailed<Dtab>,
  show: (s: ActState<Dtab>) => showState(s, showDtab),
}
