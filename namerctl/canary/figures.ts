/**
 * What a progressive shift's gates judge (namerctl dtab shift): the requests, failures and
 * latency of a set of the routers' clients over one interval, from wherever the figures come
 * from (the routers' admin metrics, or a Prometheus server scraping them).
 */
import { endedBetween, quantileMs, type Reading } from '../../lib/metrics/interval.js'

/** One set of clients over one interval, summed over every router the source reads. */
export interface Figures {
  /** Requests that ended in the interval. */
  readonly requests: number
  /** Those of them that failed (the routers' `failures`: classified failures and errors). */
  readonly failures: number
  /** 99th percentile of their latency in ms; undefined when there was no request. */
  readonly p99Ms: number | undefined
}

/** An interval being measured: it began when it was opened. */
export interface Interval {
  /** The figures from the opening until now (may be read more than once). */
  read(): Promise<Figures>
}

/** Where figures come from. Whoever makes a source closes it. */
export interface FigureSource {
  /** A short description for messages: `3 routers' admin metrics`, `Prometheus at URL`. */
  readonly name: string
  /**
   * Starts an interval over `clients`: bound ids as the routers name their clients, with or
   * without the leading `/` (`#/io.l5d.fs/users-v2`, `$/inet/127.0.0.1/8080`).
   */
  open(clients: readonly string[]): Promise<Interval>
  close(): void
}

/** The figures of what ended between `then` and `now`, summed over every series. */
export function figuresBetween(then: Reading, now: Reading): Figures {
  const { requests, failures, buckets } = endedBetween(then, now)
  return { requests, failures, p99Ms: quantileMs(buckets, 0.99) }
}
