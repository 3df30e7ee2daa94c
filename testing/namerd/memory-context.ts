import { fixtureNamers, type NamerFixture } from '../fixture-namer.js'
import { globalNamer } from '../../namers/global.js'
import type { MountedNamer } from '../../dtabs/index.js'
import { Namespaces } from '../../namerd/namespaces.js'
import { DtabStore } from '../../namerd/storage/dtab-store.js'
import { MemoryBackend } from '../../namerd/storage/memory/backend.js'
import { BoundNames } from '../../namerd/api/bound-names.js'
import type { ApiContext } from '../../namerd/api/context.js'

/** An API context over an in-memory store (`preload`: ns → dtab text) and fixture namers. */
export function memoryContext(
  preload: Record<string, string> = {},
  fixture?: NamerFixture,
  extraNamers: readonly MountedNamer[] = [],
): ApiContext {
  const store = new DtabStore(new MemoryBackend(new Map(Object.entries(preload))))
  const namers = [
    ...fixtureNamers(fixture),
    ...extraNamers,
    { prefix: ['$'], namer: globalNamer() },
  ]
  return {
    store,
    namespaces: new Namespaces(store, namers),
    watch: { heartbeatMs: 0 },
    bindTimeoutMs: 2000,
    boundNames: new BoundNames(),
  }
}
