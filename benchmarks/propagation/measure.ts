/**
 * The measurement itself: dtab updates through the real `namerctl`, alternating
 * `/svc/users => /#/io.l5d.fs/v1` and `... v2`, while every router is driven by its own
 * closed-loop client. For one update and one router, propagation = the send time of the first
 * request the new version answered, minus the moment `namerctl dtab update` returned; the
 * update's value is the largest over the routers ("every one of N routers").
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LoopClient } from './client.js'
import { NAMESPACE } from './fleet.js'
import { namerctl } from './namerctl.js'

export type Version = 'v1' | 'v2'

/** One update: when every router routed by it, and how many routers' values were clamped. */
export interface UpdateResult {
  /** max over routers of max(0, first new-version send − namerctl's exit), ms. */
  readonly maxMs: number
  /** The same, unclamped: negative when every router switched before namerctl exited. */
  readonly rawMaxMs: number
  /** max over routers of (first new-version send − namerctl's output), unclamped, ms. */
  readonly fromOutputMs: number
  /**
   * Routers whose first new-version request was sent before `namerctl` returned (the update
   * landed while that request was in flight, or before namerctl's process had exited): counted
   * as 0.
   */
  readonly clamped: number
}

/** Writes the two dtab files namerctl reads; returns their paths by version. */
export function writeDtabs(dir: string): Record<Version, string> {
  const files = {} as Record<Version, string>
  for (const v of ['v1', 'v2'] as const) {
    files[v] = join(dir, `${v}.dtab`)
    writeFileSync(files[v], `/svc/users => /#/io.l5d.fs/${v};\n`)
  }
  return files
}

/** Sets the dtab to `v1` whatever it was (creating the namespace if needed). */
export async function resetDtab(api: string, files: Record<Version, string>): Promise<void> {
  await namerctl(api, ['dtab', 'update', '--force', NAMESPACE, files.v1])
}

/** Resolves once every client has been answered by `version`, or fails after `ms`. */
export async function allOn(clients: readonly LoopClient[], version: Version, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const seen = new Set<number>()
  const all = Promise.all(
    clients.map((c, i) =>
      c.waitFor(version).then((sentAt) => {
        seen.add(i)
        return sentAt
      }),
    ),
  )
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const missing = clients.map((_, i) => i).filter((i) => !seen.has(i))
      reject(new Error(`routers ${missing.join(', ')} not answered by ${version} within ${ms} ms`))
    }, ms)
  })
  try {
    return await Promise.race([all, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** `updates` updates, `gapMs` apart, starting from `v1` (every client already on it). */
export async function measureUpdates(
  api: string,
  clients: readonly LoopClient[],
  files: Record<Version, string>,
  updates: number,
  gapMs: number,
): Promise<UpdateResult[]> {
  const results: UpdateResult[] = []
  let current: Version = 'v1'
  for (let i = 0; i < updates; i++) {
    const next: Version = current === 'v1' ? 'v2' : 'v1'
    // Listen before the update starts: a router may switch before namerctl has even exited.
    const switched = allOn(clients, next, 30_000)
    // Handled below; this only keeps a failed namerctl from leaving it rejected unobserved.
    switched.catch(() => undefined)
    const { printedAt, exitedAt } = await namerctl(api, ['dtab', 'update', NAMESPACE, files[next]])
    const sentAts = await switched
    const lastSwitch = Math.max(...sentAts)
    const deltas = sentAts.map((s) => s - exitedAt)
    results.push({
      maxMs: Math.max(0, ...deltas),
      rawMaxMs: lastSwitch - exitedAt,
      fromOutputMs: lastSwitch - printedAt,
      clamped: deltas.filter((d) => d < 0).length,
    })
    current = next
    await new Promise((r) => setTimeout(r, gapMs))
  }
  return results
}
