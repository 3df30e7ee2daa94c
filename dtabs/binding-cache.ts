import type { BindContext } from './bind.js'
import { Binding } from './binding.js'
import { showPath, type Path } from './path.js'

/**
 * Live bindings of one dtab and namer set, one per path, keyed by the path's show form. A
 * cached binding that has subscribers answers `get()` without binding again. The cache is
 * unbounded: callers with unbounded name sets (the router) bound it and expire idle entries.
 */
export class BindingCache {
  private readonly byKey = new Map<string, Binding>()

  constructor(private readonly ctx: BindContext) {}

  /** The binding of `path`, created on first use. */
  get(path: Path): Binding {
    return this.getByKey(showPath(path), path)
  }

  /** As `get`, when the caller already holds the path's show form (`key`). */
  getByKey(key: string, path: Path): Binding {
    let b = this.byKey.get(key)
    if (b === undefined) {
      b = new Binding(this.ctx, path)
      this.byKey.set(key, b)
    }
    return b
  }

  get size(): number {
    return this.byKey.size
  }
}
