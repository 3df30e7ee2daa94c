import { fixtureNamers, type NamerFixture } from '../../dtabs/testing/fixture-namer.js'
import { globalNamer } from '../../dtabs/namers/global.js'
import type { MountedNamer } from '../../dtabs/index.js'
import { Namespaces } from '../namespaces.js'
import { DtabStore } from '../storage/dtab-store.js'
import { MemoryBackend } from '../storage/memory.js'
import { BoundNames } from './bound-names.js'
import type { ApiContext } from './context.js'

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
