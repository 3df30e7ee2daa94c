/** The lines of a byte stream, whatever its chunk boundaries, with a bound on a line's length. */

/** What one `push` found. */
export interface Split {
  /** Every line the chunk completed, in order, without its `\n` (nor a `\r` before it). */
  readonly lines: readonly string[]
  /** A line is longer than `maxLineBytes`: the stream is broken, stop reading it. */
  readonly overflow: boolean
}

/**
 * Splits a byte stream into newline-terminated lines. Lines are cut at the byte `\n` and decoded
 * as UTF-8 only once complete, so a character split across two chunks is decoded whole (`\n`
 * never occurs inside a multi-byte UTF-8 sequence). Holds at most one unfinished line, of at
 * most `maxLineBytes` plus one chunk; past that, `push` reports `overflow`. Performs no I/O.
 */
export class LineSplitter {
  #pending: Buffer[] = []
  #pendingBytes = 0

  constructor(readonly maxLineBytes: number) {}

  /** The lines `chunk` completes; bytes after its last `\n` wait for the next chunk. */
  push(chunk: Buffer): Split {
    const lines: string[] = []
    let start = 0
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      if (this.#pendingBytes + nl - start > this.maxLineBytes) return { lines, overflow: true }
      lines.push(this.#take(chunk.subarray(start, nl)))
      start = nl + 1
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start))
      this.#pendingBytes += chunk.length - start
    }
    return { lines, overflow: this.#pendingBytes > this.maxLineBytes }
  }

  /** The bytes of the unfinished line so far (for tests and diagnostics). */
  get pendingBytes(): number {
    return this.#pendingBytes
  }

  #take(tail: Buffer): string {
    const bytes = this.#pending.length === 0 ? tail : Buffer.concat([...this.#pending, tail])
    this.#pending = []
    this.#pendingBytes = 0
    const text = bytes.toString('utf8')
    return text.endsWith('\r') ? text.slice(0, -1) : text
  }
}
