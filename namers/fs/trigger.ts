/**
 * When the io.l5d.fs namer looks at its directory again. fs.watch gives fast notice of most
 * changes, but inotify can drop events and a watch dies with its directory, so a periodic look
 * is the safety net that guarantees nothing is missed.
 */
import * as fs from 'node:fs'
import { errorMessage } from '../../lib/errors.js'
import { isServiceName } from './dir.js'

/** Events arriving within this long after the first one share one look (editors write bursts). */
export const DEBOUNCE_MS = 50

/**
 * One look at the directory. `dirty` holds names fs.watch reported (to read even if their
 * signature looks unchanged); it resolves to the directory's identity, or undefined if it could
 * not be listed. It must not reject.
 */
export type Look = (dirty: ReadonlySet<string>) => Promise<string | undefined>

/**
 * Runs `look` every `pollMs` and `DEBOUNCE_MS` after a watch event; looks never overlap (a
 * request during one runs another right after). `follow` keeps a watch on the directory it was
 * last told about. `close()` stops the timers and the watch and is idempotent.
 */
export class DirTrigger {
  private readonly poll: NodeJS.Timeout
  private watcher: fs.FSWatcher | undefined
  private watchedId: string | undefined
  private soon: NodeJS.Timeout | undefined
  private dirty = new Set<string>()
  private running = false
  private again = false
  private closed = false

  constructor(
    private readonly dir: string,
    pollMs: number,
    private readonly look: Look,
  ) {
    this.poll = setInterval(() => this.run(), pollMs)
  }

  /** Watches the directory with identity `dirId` (undefined: none), again if it was replaced. */
  follow(dirId: string | undefined): void {
    if (this.closed || (dirId === this.watchedId && this.watcher !== undefined)) return
    this.unwatch()
    if (dirId === undefined) return
    try {
      this.watcher = fs.watch(this.dir, (_event, name) => this.onEvent(name))
      this.watcher.on('error', () => this.unwatch())
      this.watchedId = dirId
    } catch {
      // Unsupported platform or no inotify watches left: the periodic look still covers us.
    }
  }

  close(): void {
    this.closed = true
    clearInterval(this.poll)
    clearTimeout(this.soon)
    this.unwatch()
  }

  private unwatch(): void {
    this.watcher?.close()
    this.watcher = undefined
    this.watchedId = undefined
  }

  private onEvent(name: string | null): void {
    if (name !== null) {
      if (!isServiceName(name)) return
      this.dirty.add(name)
    }
    this.soon ??= setTimeout(() => {
      this.soon = undefined
      this.run()
    }, DEBOUNCE_MS)
  }

  private run(): void {
    if (this.closed) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    const dirty = this.dirty
    this.dirty = new Set()
    void this.look(dirty)
      .then((dirId) => this.follow(dirId))
      .catch((e: unknown) => process.emitWarning(`io.l5d.fs: look failed: ${errorMessage(e)}`))
      .finally(() => this.done())
  }

  private done(): void {
    this.running = false
    if (!this.again) return
    this.again = false
    this.run()
  }
}
