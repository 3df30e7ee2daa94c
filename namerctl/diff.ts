import type { Change } from '../dtabs/diff.js'

/** One line per change: `- <dentry>`, `+ <dentry>`, `  <dentry>`. */
export function renderDiff(changes: readonly Change[]): string {
  return changes.map((c) => `${c.op} ${c.dentry}\n`).join('')
}

/** `diff --json`: `{"from":"<version>","changes":[{"op","dentry"}]}` and a newline. */
export function diffJson(from: string, changes: readonly Change[]): string {
  return JSON.stringify({ from, changes }) + '\n'
}
