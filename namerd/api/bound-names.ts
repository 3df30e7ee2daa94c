import { Cell, type Var } from '../../dtabs/index.js'

/**
 * The bound ids namerd has served (`/api/1/bound-names`), as a watchable sorted list. Bounded:
 * past `max` ids the oldest seen is forgotten, so a flood of distinct names cannot grow memory.
 */
export class BoundNames {
  private readonly ids = new Set<string>()
  private readonly cell = new Cell<readonly string[]>([])

  constructor(private readonly max = 10_000) {}

  add(id: string): void {
    if (this.ids.has(id)) return
    if (this.ids.size >= this.max) {
      const oldest = this.ids.values().next().value
      if (oldest !== undefined) this.ids.delete(oldest)
    }
    this.ids.add(id)
    this.cell.set([...this.ids].sort())
  }

  get names(): Var<readonly string[]> {
    return this.cell
  }
}
