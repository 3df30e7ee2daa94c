import {
  NOP_DENTRY,
  formatWeight,
  isBound,
  showDentry,
  showPath,
  type Addr,
  type Bound,
  type BoundLeaf,
  type DelegateTree,
  type Dentry,
  type NameTree,
} from '../dtabs/index.js'

/**
 * Human renderings of delegation explanations and bound trees: one node per line, children
 * indented two spaces, each step with the dentry that produced it and each bound name with
 * its endpoints. Pure: returns lines, prints nothing.
 */
export function renderDelegateTree(node: DelegateTree, indent = ''): string[] {
  const head = `${indent}${label(node)}${via(node)}`
  const inner = indent + '  '
  switch (node.type) {
    case 'delegate':
      return [head, ...renderDelegateTree(node.tree, inner)]
    case 'alt':
      return [
        `${head}  (alternatives: the first that resolves wins)`,
        ...node.trees.flatMap((t) => renderDelegateTree(t, inner)),
      ]
    case 'union':
      return [
        `${head}  (weighted union: each request picks one)`,
        ...node.trees.flatMap((w) =>
          prefixFirst(renderDelegateTree(w.tree, inner), `${share(w.weight, node.trees)} `),
        ),
      ]
    case 'leaf':
      return isBound(node.name) ? [head, `${inner}${describeBound(node.name)}`] : [head]
    case 'neg':
      return [`${head}  ~ no such name`]
    case 'fail':
      return [`${head}  ! failed (stops fallback)`]
    case 'empty':
      return [`${head}  $ empty (no endpoints)`]
    case 'exception':
      return [`${head}  error: ${node.error.message}`]
  }
}

function label(node: DelegateTree): string {
  if (node.type === 'neg' && node.path.length === 0) return '~'
  return showPath(node.path)
}

function via(node: DelegateTree): string {
  return isNop(node.dentry) ? '' : `  via ${showDentry(node.dentry)}`
}

function isNop(d: Dentry): boolean {
  return d === NOP_DENTRY || showDentry(d) === showDentry(NOP_DENTRY)
}

/** Puts `mark` after the indentation of the first line (e.g. a union member's share). */
function prefixFirst(lines: string[], mark: string): string[] {
  const [first, ...rest] = lines
  if (first === undefined) return lines
  const at = first.length - first.trimStart().length
  return [first.slice(0, at) + mark + first.slice(at), ...rest]
}

/** `30% (0.30)`: a member's share of its union's total weight, and its weight. */
function share(weight: number, members: readonly { weight: number }[]): string {
  const total = members.reduce((sum, m) => sum + m.weight, 0)
  const pct = total > 0 ? (100 * weight) / total : 0
  return `[${trimPercent(pct)}% weight ${formatWeight(weight)}]`
}

function trimPercent(pct: number): string {
  return Number.isInteger(pct) ? String(pct) : pct.toFixed(2).replace(/0+$/, '')
}

/** `bound /#/io.l5d.fs/web residual /v1: 10.0.0.1:8080, 10.0.0.2:8080`. */
export function describeBound(b: Bound): string {
  const residual = b.path.length === 0 ? '' : ` residual ${showPath(b.path)}`
  return `bound ${showPath(b.id)}${residual}: ${describeAddr(b.addr.get())}`
}

export function describeAddr(addr: Addr): string {
  switch (addr.type) {
    case 'bound':
      if (addr.addrs.length === 0) return 'no endpoints'
      return addr.addrs
        .map((a) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`))
        .join(', ')
    case 'neg':
      return 'no such name (neg)'
    case 'pending':
      return 'pending (not resolved yet)'
    case 'failed':
      return `failed: ${addr.cause}`
  }
}

/** The bound tree that routing would use: unions with each member's share, leaves with endpoints. */
export function renderBoundTree(tree: NameTree<BoundLeaf>, indent = ''): string[] {
  switch (tree.type) {
    case 'leaf':
      return [`${indent}${describeBound(tree.value.bound)}`]
    case 'union':
      return [
        `${indent}weighted union (each request picks one member)`,
        ...tree.trees.flatMap((w) =>
          prefixFirst(renderBoundTree(w.tree, indent + '  '), `${share(w.weight, tree.trees)} `),
        ),
      ]
    case 'alt':
      return [
        `${indent}alternatives`,
        ...tree.trees.flatMap((t) => renderBoundTree(t, indent + '  ')),
      ]
    case 'neg':
      return [`${indent}~ no such name (neg)`]
    case 'fail':
      return [`${indent}! failed`]
    case 'empty':
      return [`${indent}$ empty (no endpoints)`]
  }
}
