/**
 * The difference of two dtabs, dentry by dentry, as namerctl prints it and namerd's dtab page
 * shows it (both compare the canonical show form).
 */
import { showPathTree, showPrefix, type Dtab } from './index.js'

/** `-` removed, `+` added, ` ` unchanged. */
export type DiffOp = '-' | '+' | ' '

/** One line of a dtab diff: a dentry in canonical show form and what happens to it. */
export interface Change {
  readonly op: DiffOp
  readonly dentry: string
}

/** A dtab's dentries as `prefix => dst`, the form diffs compare and print. */
export function dentryLines(dtab: Dtab): string[] {
  return dtab.map((d) => `${showPrefix(d.prefix)} => ${showPathTree(d.dst)}`)
}

/**
 * The changes that turn `from` into `to`, in order: a longest common subsequence of the lines
 * is kept (dentry order matters in a dtab, so a moved dentry is a removal and an addition);
 * where both sides differ, removals come before additions.
 */
export function diffLines(from: readonly string[], to: readonly string[]): Change[] {
  let head = 0
  while (head < from.length && head < to.length && from[head] === to[head]) head++
  let tail = 0
  while (
    tail < from.length - head &&
    tail < to.length - head &&
    from[from.length - 1 - tail] === to[to.length - 1 - tail]
  )
    tail++
  const same = (lines: readonly string[]) => lines.map((dentry) => ({ op: ' ' as const, dentry }))
  const middle = lcsDiff(from.slice(head, from.length - tail), to.slice(head, to.length - tail))
  return [...same(from.slice(0, head)), ...middle, ...same(from.slice(from.length - tail))]
}

/** Plain LCS table (lengths of the common subsequence of the suffixes), then one walk. */
function lcsDiff(a: readonly string[], b: readonly string[]): Change[] {
  const width = b.length + 1
  const table = new Uint32Array((a.length + 1) * width)
  const at = (i: number, j: number) => table[i * width + j] ?? 0
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      table[i * width + j] =
        a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1))
  const out: Change[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', dentry: a[i++] as string })
      j++
    } else if (j >= b.length || (i < a.length && at(i + 1, j) >= at(i, j + 1))) {
      out.push({ op: '-', dentry: a[i++] as string })
    } else {
      out.push({ op: '+', dentry: b[j++] as string })
    }
  }
  return out
}

/** True if anything is added or removed. */
export function differs(changes: readonly Change[]): boolean {
  return changes.some((c) => c.op !== ' ')
}
