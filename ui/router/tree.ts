/**
 * A delegation explanation (`/delegator.json`, dtabs/json.ts's `delegateTreeToJson`) drawn as
 * an expandable tree: each step's path and the dentry that rewrote it, unions with their
 * weights, alternatives with the one taken, and the bound leaves with their endpoints. The
 * branches a request would take are marked live (`.live`), the others not (`.dead`).
 */
import { h, type Child } from '../dom.js'

/** One node as `/delegator.json` sends it. */
export interface DelegateNode {
  readonly type: 'delegate' | 'alt' | 'union' | 'leaf' | 'neg' | 'fail' | 'empty' | 'exception'
  readonly path: string
  readonly dentry?: { readonly prefix: string; readonly dst: string }
  readonly delegate?: DelegateNode
  readonly alt?: readonly DelegateNode[]
  readonly union?: readonly { readonly weight: number; readonly tree: DelegateNode }[]
  readonly bound?: {
    readonly id: string
    readonly path: string
    readonly addr: {
      readonly type: string
      readonly addrs?: readonly { readonly ip: string; readonly port: number }[]
    }
  }
  readonly message?: string
}

/** Whether a request would get past this node to endpoints (a bound leaf, even pending). */
export function isLive(n: DelegateNode): boolean {
  switch (n.type) {
    case 'leaf':
      return n.bound?.addr.type !== 'neg'
    case 'delegate':
      return n.delegate !== undefined && isLive(n.delegate)
    case 'union':
      return (n.union ?? []).some((w) => w.weight > 0 && isLive(w.tree))
    case 'alt': {
      const taken = takenBranch(n)
      return taken !== undefined && isLive(taken)
    }
    default:
      return false
  }
}

/** The branch an alternative takes: the first that is not a negative resolution. */
function takenBranch(n: DelegateNode): DelegateNode | undefined {
  return (n.alt ?? []).find((b) => !isNeg(b))
}

function isNeg(n: DelegateNode): boolean {
  if (n.type === 'neg') return true
  if (n.type === 'leaf') return n.bound?.addr.type === 'neg'
  if (n.type === 'delegate') return n.delegate === undefined || isNeg(n.delegate)
  if (n.type === 'alt') return (n.alt ?? []).every(isNeg)
  if (n.type === 'union') return (n.union ?? []).every((w) => isNeg(w.tree))
  return false
}

/** The tree under `root`, every node open. */
export function drawTree(root: DelegateNode): HTMLElement {
  return h(
    'div',
    { class: 'tree', 'data-testid': 'tree' },
    h('ul', null, node(root, isLive(root), '')),
  )
}

function node(n: DelegateNode, live: boolean, note: string): HTMLElement {
  const label = h(
    'span',
    { class: 'label' },
    h('span', { class: 'kind' }, n.type),
    note === '' ? null : h('span', { class: note === 'taken' ? 'taken' : 'weight' }, `${note} `),
    h('code', { class: 'path' }, n.path),
    n.dentry === undefined
      ? null
      : h(
          'span',
          { class: 'dentry' },
          '  by  ',
          h('code', null, `${n.dentry.prefix} => ${n.dentry.dst}`),
        ),
    n.message === undefined ? null : h('span', { class: 'bad' }, `  ${n.message}`),
  )
  const children = childrenOf(n, live)
  const attrs = {
    class: `node ${live ? 'live' : 'dead'}`,
    'data-type': n.type,
    'data-path': n.path,
  }
  if (children.length === 0) return h('li', attrs, label)
  return h(
    'li',
    attrs,
    h('details', { open: true }, h('summary', null, label), h('ul', null, children)),
  )
}

/** A node's children; a child is live only under a live parent. */
function childrenOf(n: DelegateNode, live: boolean): Child[] {
  switch (n.type) {
    case 'delegate':
      return n.delegate === undefined ? [] : [node(n.delegate, live && isLive(n.delegate), '')]
    case 'union':
      return (n.union ?? []).map((w) =>
        node(w.tree, live && w.weight > 0 && isLive(w.tree), `${w.weight} ×`),
      )
    case 'alt': {
      const taken = takenBranch(n)
      return (n.alt ?? []).map((b) =>
        node(b, live && b === taken && isLive(b), b === taken ? 'taken' : ''),
      )
    }
    case 'leaf':
      return [endpoints(n)]
    default:
      return []
  }
}

/** A bound leaf's id and its endpoints (or why there are none). */
function endpoints(n: DelegateNode): HTMLElement {
  const b = n.bound
  if (b === undefined) return h('li', null, 'no bound name')
  const addrs = b.addr.addrs ?? []
  const shown =
    b.addr.type === 'bound'
      ? addrs.length === 0
        ? 'no endpoints'
        : addrs.map((a) => h('code', { class: 'endpoint' }, `${a.ip}:${a.port}`))
      : b.addr.type
  return h(
    'li',
    { class: 'bound' },
    h('span', { class: 'kind' }, 'id'),
    h('code', null, b.id),
    ' → ',
    shown,
  )
}
