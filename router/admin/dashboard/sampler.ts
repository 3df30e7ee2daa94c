/**
 * The dashboard's live figures: while a dashboard is open (it read the view within `idleMs`),
 * the admin scrapes the metrics every `intervalMs` and keeps, per router, the figures of the
 * last interval for the router (its servers summed), each service and each client, and a short
 * history of the router's. Nobody looking: no timer, no work. Every open page shares the one
 * sampler, so a second page costs nothing more than its reads.
 */
import type { Entry } from '../../metrics/index.js'
import {
  addEnded,
  endedBetween,
  nothingEnded,
  type Cumulative,
  type Decrease,
} from '../../../lib/metrics/interval.js'
import {
  figuresOf,
  readRouters,
  scrapeShape,
  type Figures,
  type RouterReading,
} from './readings.js'

/** One router's figures in the last interval. */
export interface RouterFigures {
  readonly label: string
  readonly figures: Figures | null
  /** The router's figures, oldest first, one per interval (at most `historySize`). */
  readonly history: readonly Figures[]
  /** Figures by logical name (`svc/users`); null until a second sample. */
  readonly services: ReadonlyMap<string, Figures | null>
  /** Figures by bound id (`#/io.l5d.fs/users`). */
  readonly clients: ReadonlyMap<string, Figures | null>
}

export interface SamplerOptions {
  /** Default 1000 ms. */
  readonly intervalMs?: number
  /** Sampling stops when nobody read for this long; default 30 000 ms. */
  readonly idleMs?: number
  /** Intervals of router history kept; default 60. */
  readonly historySize?: number
}

/** Whoever makes it calls `close()`. */
export class DashboardSampler {
  readonly intervalMs: number
  /** When the last sample was taken (epoch ms; 0 before the first): its figures end then. */
  sampledAt = 0
  /** How long the interval of the last figures was (ms; 0 before the second sample). */
  coveredMs = 0
  private readonly idleMs: number
  private readonly historySize: number
  private timer: NodeJS.Timeout | undefined
  private last: { at: number; routers: Map<string, RouterReading> } | undefined
  private routers: RouterFigures[] = []
  private readonly history = new Map<string, Figures[]>()
  private readAt = 0
  private ticking: Promise<void> | undefined
  private decrease: Decrease = 'reset'

  constructor(
    private readonly scrape: () => Promise<Entry[]>,
    options: SamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000
    this.idleMs = options.idleMs ?? 30_000
    this.historySize = options.historySize ?? 60
  }

  /** The figures of the last interval, starting the sampling if it was idle. */
  async read(): Promise<readonly RouterFigures[]> {
    this.readAt = performance.now()
    if (this.timer === undefined) {
      // A failed scrape fails the reads waiting for it; on the timer it is only skipped.
      this.timer = setInterval(() => void this.tick().catch(() => undefined), this.intervalMs)
      this.timer.unref()
      await this.tick()
    } else await this.ticking
    return this.routers
  }

  close(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private tick(): Promise<void> {
    if (performance.now() - this.readAt > this.idleMs) {
      this.close()
      this.last = undefined
      this.history.clear()
      return Promise.resolve()
    }
    // A scrape slower than the interval: the next tick waits for it rather than pile up.
    this.ticking ??= this.sample().finally(() => (this.ticking = undefined))
    return this.ticking
  }

  /**
   * Under `router --workers`, a scrape some worker missed is never a base (the next full one
   * covers the whole time; before any, the rows show without figures), and a sum that went down
   * (a worker restarted) counts nothing for that interval.
   */
  private async sample(): Promise<void> {
    const entries = await this.scrape()
    const shape = scrapeShape(entries)
    const routers = readRouters(entries)
    if (shape.partial) {
      if (this.last === undefined) this.routers = this.withoutFigures(routers)
      return
    }
    this.decrease = shape.merged ? 'unknown' : 'reset'
    const at = performance.now()
    this.sampledAt = Date.now()
    const last = this.last
    this.last = { at, routers }
    const seconds = last === undefined ? 0 : (at - last.at) / 1000
    this.coveredMs = Math.round(seconds * 1000)
    this.routers = [...routers].map(([label, now]) =>
      this.figuresOf(label, now, seconds > 0 ? last?.routers.get(label) : undefined, seconds),
    )
    for (const label of this.history.keys()) if (!routers.has(label)) this.history.delete(label)
  }

  private withoutFigures(routers: Map<string, RouterReading>): RouterFigures[] {
    return [...routers].map(([label, now]) => this.figuresOf(label, now, undefined, 0))
  }

  private figuresOf(
    label: string,
    now: RouterReading,
    before: RouterReading | undefined,
    seconds: number,
  ): RouterFigures {
    const figures =
      before === undefined
        ? null
        : figuresOf(endedBetween(before.servers, now.servers, this.decrease), seconds)
    const history = this.history.get(label) ?? []
    if (figures !== null) {
      history.push(figures)
      if (history.length > this.historySize) history.shift()
      this.history.set(label, history)
    }
    const each = (then: Map<string, Cumulative> | undefined, series: Map<string, Cumulative>) =>
      new Map(
        [...series].map(([name, c]): [string, Figures | null] => {
          if (then === undefined) return [name, null]
          const ended = addEnded(nothingEnded(), then.get(name), c, this.decrease)
          return [name, figuresOf(ended, seconds)]
        }),
      )
    return {
      label,
      figures,
      history: [...history],
      services: each(before?.services, now.services),
      clients: each(before?.clients, now.clients),
    }
  }
}
