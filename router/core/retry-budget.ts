/**
 * A retry budget (linkerd's `retries.budget` and `client.requeueBudget`): retries may add at
 * most `percentCanRetry` of the requests of the last `ttlSecs`, plus a reserve of
 * `minRetriesPerSec` per second, so that retries cannot multiply the load on endpoints that
 * are failing. Each request deposits, each retry withdraws; both expire after `ttlSecs` (a
 * window of ten slots). O(1) per deposit, no allocation.
 */

export interface BudgetConfig {
  readonly ttlSecs: number
  readonly minRetriesPerSec: number
  /** Retries allowed per request, in [0, 1000] (0.2: one retry per five requests). */
  readonly percentCanRetry: number
}

/** linkerd's (finagle's) defaults for both budgets. */
export const DEFAULT_BUDGET: BudgetConfig = {
  ttlSecs: 10,
  minRetriesPerSec: 10,
  percentCanRetry: 0.2,
}

const SLOTS = 10
const DEPOSIT = 1000
const MIN_SHARE = 1e-6

/** See the file header. Times are `performance.now()` milliseconds. */
export class RetryBudget {
  private readonly slots = new Float64Array(SLOTS)
  private readonly slotMs: number
  private readonly deposit: number
  private readonly withdrawal: number
  private readonly reserve: number
  /** The slot number (time / slotMs) last written. */
  private latest = 0

  constructor(config: BudgetConfig) {
    this.slotMs = (config.ttlSecs * 1000) / SLOTS
    // Below one retry per million requests is none at all (and keeps the arithmetic finite).
    const share = config.percentCanRetry < MIN_SHARE ? 0 : config.percentCanRetry
    this.deposit = share === 0 ? 0 : DEPOSIT
    this.withdrawal = share === 0 ? DEPOSIT : DEPOSIT / share
    this.reserve = config.minRetriesPerSec * config.ttlSecs * this.withdrawal
  }

  /** A request was made (it earns a share of a retry). */
  request(now: number): void {
    this.add(now, this.deposit)
  }

  /** Takes one retry from the budget; false when there is none left. */
  tryRetry(now: number): boolean {
    if (this.balanceAt(now) < this.withdrawal) return false
    this.add(now, -this.withdrawal)
    return true
  }

  /** Retries the budget allows now (the `retries/budget` gauge). */
  available(now: number): number {
    return Math.max(0, Math.floor(this.balanceAt(now) / this.withdrawal))
  }

  private balanceAt(now: number): number {
    this.advance(now)
    let sum = this.reserve
    for (let i = 0; i < SLOTS; i++) sum += this.slots[i] as number
    return sum
  }

  private add(now: number, amount: number): void {
    this.advance(now)
    const i = this.latest % SLOTS
    this.slots[i] = (this.slots[i] as number) + amount
  }

  /** Clears the slots that fell out of the window since the last write. */
  private advance(now: number): void {
    const slot = Math.floor(now / this.slotMs)
    if (slot <= this.latest) return
    const gone = Math.min(SLOTS, slot - this.latest)
    for (let i = 1; i <= gone; i++) this.slots[(this.latest + i) % SLOTS] = 0
    this.latest = slot
  }
}
