/**
 * Absolute paths into the repository, for tests and benchmarks that spawn the programs or read
 * files of the source tree. Compiled code runs from `dist/`, so paths are taken from the
 * repository root rather than from the compiled file's own location.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is `dist/testing/paths.js` once built). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** A path inside the repository, from its root: `repoPath('examples', 'disco')`. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts)
}

/** The launcher of one of the three programs (`bin/<name>.js`, which runs the built code). */
export function binPath(name: 'router' | 'namerd' | 'namerctl'): string {
  return repoPath('bin', `${name}.js`)
}
