import { Cell, waitFor, type Var } from '../../dtabs/index.js'

/** A rendered document, a failure to report, or nothing yet (still pending). */
export type Rendered = string | { readonly error: unknown } | undefined

/**
 * A Var computed from other Vars: `compute` pushes every Var it read onto `deps`, and is run
 * again whenever one of them changes (new dependencies are watched before old ones are let go,
 * so shared namer watches stay up). Live only while subscribed. A throw becomes `{ error }`.
 */
export function rendered(compute: (deps: Var<unknown>[]) => Rendered): Var<Rendered> {
  return new Cell<Rendered>(undefined, (cell) => {
    let stops: (() => void)[] = []
    const run = (): void => {
      const deps: Var<unknown>[] = []
      let value: Rendered
      try {
        value = compute(deps)
      } catch (error) {
        value = { error }
      }
      const old = stops
      stops = deps.map((d) => d.subscribe(run))
      for (const stop of old) stop()
      cell.set(value)
    }
    run()
    return () => {
      for (const stop of stops.splice(0)) stop()
    }
  })
}

/**
 * The first document of `v` (for a request without `watch`): resolves with the text, throws the
 * failure, or throws `onTimeout()` if it is still pending after `ms`.
 */
export async function firstDocument(
  v: Var<Rendered>,
  ms: number,
  onTimeout: () => Error,
): Promise<string> {
  const value = await waitFor(v, (x) => x !== undefined, ms, onTimeout)
  if (typeof value === 'string') return value
  if (value === undefined) throw onTimeout()
  throw value.error
}
