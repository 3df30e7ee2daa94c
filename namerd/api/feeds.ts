import { Cell, type Var } from '../../dtabs/index.js'
import { errorLine } from './errors.js'
import type { Rendered } from './live.js'

/** One document of a watch stream as the bytes to write (ending in `\n`), or nothing yet. */
export type Frame = Buffer | undefined

/**
 * The watch streams of one API server, grouped by what they watch: all the streams of one key
 * (a namespace's dtab in one media type, one bind or addr query...) share one live source, so a
 * new version is rendered and encoded once, and every stream writes the same Buffer. Rendering
 * per stream made 500 watchers of a 1 MB dtab cost 500 renders and 500 copies per version.
 */
export class WatchFeeds {
  private readonly feeds = new Map<string, Cell<Frame>>()

  /**
   * The shared frames for `key`: the feed of the streams subscribed to `key`, or a new one whose
   * source `make` builds. The caller subscribes at once (the stream); the feed stops and is
   * forgotten when its last subscriber leaves.
   */
  feed(key: string, make: () => Var<Rendered>): Var<Frame> {
    const held = this.feeds.get(key)
    // A feed nobody subscribed to (its stream failed before) is replaced, not trusted.
    if (held !== undefined && held.observers > 0) return held
    const made: Cell<Frame> = new Cell<Frame>(undefined, (cell) => {
      const stop = follow(make(), (frame) => cell.set(frame))
      return () => {
        stop()
        if (this.feeds.get(key) === made) this.feeds.delete(key)
      }
    })
    this.feeds.set(key, made)
    return made
  }

  /** Keys with at least one open stream (for tests). */
  get size(): number {
    return this.feeds.size
  }
}

/**
 * Calls `emit` with the frame of each new document of `source` (now, then on each change). A
 * document equal to the previous one keeps the previous frame, so streams see no change.
 */
function follow(source: Var<Rendered>, emit: (frame: Frame) => void): () => void {
  let text: string | undefined
  const push = (): void => {
    const value = source.get()
    if (value === undefined) return
    const doc = typeof value === 'string' ? value : errorLine(value.error)
    if (doc === text) return
    text = doc
    emit(Buffer.from(`${doc}\n`))
  }
  const stop = source.subscribe(push)
  push()
  return stop
}
