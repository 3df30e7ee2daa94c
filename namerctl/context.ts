import type { Command } from 'commander'
import type { Namerd } from './client.js'
import type { Output } from './dtab-offline.js'
import type { WatchIo } from './watch.js'

/** What the command definitions need from `main`: how to run a command and reach namerd. */
export interface CliContext {
  /** Runs a command and writes its Output (errors propagate to `main`). */
  run(make: () => Output | Promise<Output>): Promise<void>
  /** namerd's base URL and timeout from the global flags, env and config (resolved lazily). */
  namerd(cmd: Command): Namerd
  /** Standard output, standard error, and a signal that aborts on SIGINT or SIGTERM. */
  watchIo(): WatchIo
}
