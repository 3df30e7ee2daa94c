import {
  Binding,
  boundsOf,
  delegate,
  settle,
  settleAddrs,
  waitFor,
  type ActState,
  type BoundLeaf,
  type DelegateTree,
  type Dtab,
  type MountedNamer,
  type NameTree,
  type Path,
} from '../dtabs/index.js'
import { FsNamer } from '../namers/fs/namer.js'
import { globalNamer } from '../namers/global.js'
import { ResolveError } from './errors.js'

/** How long offline resolution waits for namers and DNS before reporting what it has. */
const SETTLE_MS = 5000

/** The namers of the offline tools: `io.l5d.fs` at `/#/io.l5d.fs` (if a root is given), then `/$`. */
export function offlineNamers(fsRoot: string | undefined): {
  namers: MountedNamer[]
  close(): void
} {
  const fs =
    fsRoot === undefined ? undefined : new FsNamer({ rootDir: fsRoot, prefix: ['#', 'io.l5d.fs'] })
  const namers: MountedNamer[] = fs === undefined ? [] : [{ prefix: ['#', 'io.l5d.fs'], namer: fs }]
  namers.push({ prefix: ['$'], namer: globalNamer() })
  return { namers, close: () => fs?.close() }
}

/** Binds `path` once namers are ready (at most 5 s), with endpoint sets resolved. */
export async function bindOffline(
  dtab: Dtab,
  namers: MountedNamer[],
  path: Path,
): Promise<NameTree<BoundLeaf>> {
  const binding = new Binding({ dtab, namers }, path)
  const stop = binding.subscribe(() => undefined)
  try {
    const state = await waitFor(binding, (s) => s.type !== 'pending', SETTLE_MS, pendingError)
    const tree = unwrap(state)
    await settleAddrs(boundsOf(tree), SETTLE_MS)
    return tree
  } finally {
    stop()
  }
}

/** Explains the delegation of `path` once namers are ready (at most 5 s). */
export async function delegateOffline(
  dtab: Dtab,
  namers: MountedNamer[],
  path: Path,
): Promise<DelegateTree> {
  const deadline = Date.now() + SETTLE_MS
  const tree = unwrap(await settle((deps) => delegate({ dtab, namers }, path, deps), SETTLE_MS))
  await settleAddrs(boundsOf(tree), Math.max(0, deadline - Date.now()))
  return tree
}

function unwrap<T>(state: ActState<T>): T {
  if (state.type === 'ok') return state.value
  if (state.type === 'failed') throw new ResolveError(state.error.message, { cause: state.error })
  throw pendingError()
}

function pendingError(): Error {
  return new ResolveError(`namers did not answer within ${SETTLE_MS / 1000} s`)
}
