/**
 * An HTTP/2 request body teed, as linkerd's h2 router does: the first attempt sends it as it
 * arrives (a bidirectional gRPC stream never waits for its request to end) while a copy of up
 * to `limitBytes` is kept. A retry gets the copy, then the rest as it comes (a Buffer when the
 * body already ended); once the body outgrew the copy it cannot be sent again. The body is read
 * only when an attempt reads (a request that could not connect leaves it untouched), and at the
 * pace of the attempt that reads it now. The copy is let go once the client has its answer's
 * head (a long-lived stream keeps no copy past that). A `KeptBody` (retry-body.ts).
 */
import { Readable } from 'node:stream'

export class RequestTee {
  /** What arrived so far, while it fits in `limitBytes`; undefined once it did not. */
  private copy: Buffer[] | undefined = []
  private bytes = 0
  private ended = false
  private reading = false
  /** The stream of the attempt in flight: where arriving chunks go. */
  private current: Readable

  constructor(
    private readonly source: Readable,
    private readonly limitBytes: number,
  ) {
    this.current = this.branch()
  }

  /** Whether all of the body so far was kept (a retry may have it). */
  get replayable(): boolean {
    return this.copy !== undefined
  }

  /** The first attempt's body. */
  first(): Readable {
    return this.current
  }

  /** The next attempt's body: the copy, then the rest as it comes (only when `replayable`). */
  next(): Readable | Buffer {
    const copy = this.copy as Buffer[]
    if (this.ended) return copy.length === 1 ? (copy[0] as Buffer) : Buffer.concat(copy)
    const branch = this.branch()
    for (const chunk of copy) branch.push(chunk)
    this.current = branch
    return branch
  }

  /** No retry will come: the copy goes, the body flows on to the attempt in flight. */
  forget(): void {
    this.copy = undefined
  }

  private branch(): Readable {
    return new Readable({ read: () => this.pull() })
  }

  /** The attempt wants more: start reading the body, or go on after a pause. */
  private pull(): void {
    if (this.reading) {
      this.source.resume()
      return
    }
    this.reading = true
    this.source
      .on('data', (chunk: Buffer | string) => this.arrived(chunk))
      .on('end', () => this.end())
      .on('error', (err: Error) => this.current.destroy(err))
  }

  private arrived(data: Buffer | string): void {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data
    if (this.copy !== undefined) {
      this.bytes += chunk.length
      if (this.bytes <= this.limitBytes) this.copy.push(chunk)
      else this.copy = undefined
    }
    if (!this.current.push(chunk)) this.source.pause()
  }

  private end(): void {
    this.ended = true
    this.current.push(null)
  }
}
