/**
 * Test helpers for the `io.l5d.namerd.http` interpreter: a real in-process namerd API (memory
 * store, `/$/inet` namer) that counts the requests and connections it sees and can be stopped
 * and started again on the same port, and a NamerdInterpreter with fast retries.
 */
import type { ExecutionContext } from 'ava'
import type { Socket } from 'node:net'
import {
  readDtab,
  type ActState,
  type BoundLeaf,
  type MountedNamer,
  type NameTree,
} from '../../dtabs/index.js'
import type { ApiContext } from '../../namerd/api/context.js'
import { buildApi } from '../../namerd/api/server.js'
import { memoryContext } from './memory-context.js'
import { listen, type Listening } from '../../namerd/listen.js'
import { eventually } from '../eventually.js'
import {
  NamerdInterpreter,
  type NamerdInterpreterOptions,
} from '../../router/interpreters/namerd-http/interpreter.js'
import type { StreamState } from '../../router/interpreters/namerd-http/state.js'

/** `/$/inet/127.0.0.1/<port>`: a name namerd binds without files (its `/$/inet` namer). */
export const inet = (port: number): string => `/$/inet/127.0.0.1/${port}`

/** The interpreter's streams of one kind (`dtab`, `bind`, `addr`), as its admin page lists them. */
export function streamsOf(interp: NamerdInterpreter, kind: string): readonly StreamState[] {
  return interp.state().streams.filter((s) => s.kind === kind)
}

/** The leaves of a bound tree, left to right. */
export function leaves(tree: NameTree<BoundLeaf>): BoundLeaf[] {
  if (tree.type === 'leaf') return [tree.value]
  if (tree.type === 'alt') return tree.trees.flatMap(leaves)
  if (tree.type === 'union') return tree.trees.flatMap((w) => leaves(w.tree))
  return []
}

/** The tree of an `ok` binding; throws for any other state. */
export function okTree(state: ActState<NameTree<BoundLeaf>>): NameTree<BoundLeaf> {
  if (state.type !== 'ok') throw new Error(`expected ok, got ${state.type}`)
  return state.value
}

/** A running (or stopped) in-process namerd; its store outlives restarts. */
export interface TestNamerd {
  readonly cx: ApiContext
  readonly port: number
  /** `127.0.0.1:<port>`. */
  readonly host: string
  /** `http://127.0.0.1:<port>`. */
  readonly base: string
  /** Requests received since the first start, all or for one route (`bind`, `addr`, `dtabs`…). */
  requests(route?: string): number
  /** Connections open now on namerd's side. */
  openSockets(): number
  /** Replaces the dtab of `ns` in the store (namerd may be stopped). */
  setDtab(text: string, ns?: string): Promise<void>
  /** Stops listening and drops every connection (watch streams included). */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
}

/** Starts namerd with `preload` (namespace → dtab text); stopped by `t.teardown`. */
export async function startNamerd(
  t: ExecutionContext,
  preload: Record<string, string>,
  options: { extraNamers?: readonly MountedNamer[]; bindTimeoutMs?: number } = {},
): Promise<TestNamerd> {
  const base = memoryContext(preload, undefined, options.extraNamers)
  const cx: ApiContext = { ...base, bindTimeoutMs: options.bindTimeoutMs ?? base.bindTimeoutMs }
  const routes: string[] = []
  const sockets = new Set<Socket>()
  let running: Listening | undefined

  const listenOn = async (port: number): Promise<Listening> => {
    const app = buildApi(cx)
    app.server.on('request', (req: { url?: string }) => {
      routes.push(new URL(req.url ?? '/', 'http://x').pathname.split('/')[3] ?? '')
    })
    app.server.on('connection', (s: Socket) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    return listen(app, '127.0.0.1', port)
  }

  running = await listenOn(0)
  const port = running.port
  t.teardown(() => running?.close())
  return {
    cx,
    port,
    host: `127.0.0.1:${port}`,
    base: `http://127.0.0.1:${port}`,
    requests: (route) => routes.filter((r) => route === undefined || r === route).length,
    openSockets: () => sockets.size,
    setDtab: async (text, ns = 'default') => void (await cx.store.put(ns, readDtab(text))),
    async stop() {
      await running?.close()
      running = undefined
    },
    async start() {
      // Another test may hold the port for a moment (it was free while namerd was down): retry.
      await eventually(`namerd listening again on ${port}`, async () => {
        running = await listenOn(port).catch(() => undefined)
        return running !== undefined
      })
    },
  }
}

/** A NamerdInterpreter and what it reported (log lines, reconnections, updates). */
export interface Interpreted {
  readonly interp: NamerdInterpreter
  readonly logs: string[]
  readonly counts: { reconnects: number; updates: number }
}

/**
 * A NamerdInterpreter on `namerd`'s namespace `default`, retrying every 20–100 ms, closed by
 * `t.teardown`; `options` override any of that.
 */
export function interpreterFor(
  t: ExecutionContext,
  namerd: { readonly base: string },
  options: Partial<NamerdInterpreterOptions> = {},
): Interpreted {
  const logs: string[] = []
  const counts = { reconnects: 0, updates: 0 }
  const interp = new NamerdInterpreter({
    base: namerd.base,
    namespace: 'default',
    retry: { baseMs: 20, maxMs: 100 },
    lingerMs: 10_000,
    log: (m) => logs.push(m),
    onReconnect: () => void counts.reconnects++,
    onUpdate: () => void counts.updates++,
    ...options,
  })
  t.teardown(() => interp.close())
  return { interp, logs, counts }
}
