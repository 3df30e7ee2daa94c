/**
 * The resilience keys of the `service` and `client` configs: `retries` (a budget and a
 * backoff), `retryBufferSize`, and `client.requeueBudget`, with linkerd's defaults. Pure.
 */
import type { Section } from '../../lib/config/section.js'
import { constantBackoff, parseBackoff, type Backoff } from '../backoffs/index.js'
import { DEFAULT_BUDGET, type BudgetConfig } from '../core/retry-budget.js'

/** `service.retries`. */
export interface RetriesConfig {
  readonly budget: BudgetConfig
  readonly backoff: Backoff
}

/** `service.retryBufferSize`: the most of a request body kept for a retry, and of a response. */
export interface RetryBufferSize {
  readonly requestBytes: number
  readonly responseBytes: number
}

/** linkerd's retry backoff when none is given: no wait. */
export const DEFAULT_RETRY_BACKOFF: Backoff = constantBackoff(0)

export const DEFAULT_RETRIES: RetriesConfig = {
  budget: DEFAULT_BUDGET,
  backoff: DEFAULT_RETRY_BACKOFF,
}

/** linkerd's h2 `retryBufferSize` defaults, used for HTTP/1.1 too. */
export const DEFAULT_RETRY_BUFFER: RetryBufferSize = { requestBytes: 16_383, responseBytes: 16_383 }

/** A `budget` or `requeueBudget` section; absent keys take linkerd's defaults. */
export function parseBudget(s: Section | undefined): BudgetConfig {
  if (s === undefined) return DEFAULT_BUDGET
  const d = DEFAULT_BUDGET
  const budget = {
    ttlSecs: s.number('ttlSecs', d.ttlSecs, { min: 1, max: 60 }),
    minRetriesPerSec: s.number('minRetriesPerSec', d.minRetriesPerSec, { min: 0 }),
    percentCanRetry: s.number('percentCanRetry', d.percentCanRetry, {
      min: 0,
      max: 1000,
      integer: false,
    }),
  }
  s.done()
  return budget
}

/** `service.retries`: `budget` and `backoff`. */
export function parseRetries(s: Section): RetriesConfig {
  const retries = {
    budget: parseBudget(s.section('budget')),
    backoff: parseBackoff(s.section('backoff'), DEFAULT_RETRY_BACKOFF),
  }
  s.done()
  return retries
}

/** `service.retryBufferSize`: `requestBytes` and `responseBytes`. */
export function parseRetryBufferSize(s: Section): RetryBufferSize {
  const d = DEFAULT_RETRY_BUFFER
  const size = {
    requestBytes: s.number('requestBytes', d.requestBytes, { min: 0, max: 16 * 1024 * 1024 }),
    responseBytes: s.number('responseBytes', d.responseBytes, { min: 0, max: 16 * 1024 * 1024 }),
  }
  s.done()
  return size
}
