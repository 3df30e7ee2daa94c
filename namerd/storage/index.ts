/**
 * The storage family (namerd `storage:`): one kind per store, each a plug-in whose builder
 * makes a `Backend` (backend.ts). namerd wraps the backend in a `DtabStore` (dtab-store.ts),
 * which gives every kind the same outage behaviour.
 */
import { Section } from '../../lib/config/section.js'
import type { Log } from '../../lib/log.js'
import { parseKind, registry, type Plugin } from '../../lib/plugin.js'
import type { Backend } from './backend.js'
import { etcdStorage } from './etcd/plugin.js'
import { fileStorage } from './file/plugin.js'
import { memoryStorage } from './memory/plugin.js'
import { zkStorage } from './zk/plugin.js'

/** What a storage builder receives. */
export interface StorageDeps {
  /** Where the backend reports connection changes and retries (never secrets). */
  readonly log: Log
  /** Environment for credentials given outside the config file (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv
  /** Past values kept per namespace (namerd's `dtabHistorySize`; default DEFAULT_HISTORY_SIZE). */
  readonly historySize?: number
}

export type StoragePlugin = Plugin<Backend, StorageDeps>

/** Every storage kind this project has. */
export const storages = registry<Backend, StorageDeps>(
  memoryStorage,
  fileStorage,
  etcdStorage,
  zkStorage,
)

/** linkerd storage kinds not here. */
export const LINKERD_ONLY_STORAGES: readonly string[] = ['io.l5d.consul', 'io.l5d.k8s']

/** Checks a `storage:` section (pure); the builder opens the store. */
export function parseStorage(raw: unknown, at: string): (deps: StorageDeps) => Backend {
  return parseKind(storages, new Section(raw, at), { notHere: LINKERD_ONLY_STORAGES })
}
