/**
 * What the `service` configs say of one logical name, defaults filled in (docs/resilience.md),
 * and the per-service retry state: its budget and its `retries/*` stats. Both are looked up
 * once per cached binding, not per request.
 */
import type { Counter, Histogram, ServiceStats } from '../metrics/index.js'
import { DEFAULT_CLASSIFIER, type ResponseClassifier } from '../classifiers/index.js'
import type { ServiceParams } from '../config/client.js'
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BUFFER,
  type RetriesConfig,
  type RetryBufferSize,
} from '../config/resilience.js'
import { RetryBudget } from './retry-budget.js'

/** A service's settings, with linkerd's defaults. */
export interface ServicePolicy {
  readonly totalTimeoutMs: number | undefined
  readonly classifier: ResponseClassifier
  readonly retries: RetriesConfig
  readonly buffer: RetryBufferSize
  /**
   * How long an answer whose outcome is known only at its end (a gRPC status in trailers) is
   * held for a possible retry before it goes to the client unclassified (linkerd's h2 key).
   */
  readonly classificationTimeoutMs: number
}

/** linkerd's `classificationTimeoutMs` default. */
export const DEFAULT_CLASSIFICATION_TIMEOUT_MS = 100

export const DEFAULT_POLICY: ServicePolicy = {
  totalTimeoutMs: undefined,
  classifier: DEFAULT_CLASSIFIER,
  retries: DEFAULT_RETRIES,
  buffer: DEFAULT_RETRY_BUFFER,
  classificationTimeoutMs: DEFAULT_CLASSIFICATION_TIMEOUT_MS,
}

/** The policy of a service whose matching configs merged to `p`. */
export function servicePolicy(p: ServiceParams): ServicePolicy {
  return {
    totalTimeoutMs: p.totalTimeoutMs,
    classifier: p.responseClassifier ?? DEFAULT_CLASSIFIER,
    retries: p.retries ?? DEFAULT_RETRIES,
    buffer: p.retryBufferSize ?? DEFAULT_RETRY_BUFFER,
    classificationTimeoutMs: p.classificationTimeoutMs ?? DEFAULT_CLASSIFICATION_TIMEOUT_MS,
  }
}

/** One service's retry budget and its `retries/*` stats (linkerd's names). */
export class ServiceRetries {
  readonly budget: RetryBudget
  /** `retries/total`: retries sent. */
  readonly total: Counter
  /** `retries/budget_exhausted`: retryable failures not retried for want of budget. */
  readonly budgetExhausted: Counter
  /** `retries/request_stream_too_long`: not retried, the body was not kept (too long, chunked). */
  readonly streamTooLong: Counter
  /** `retries/per_request`: retries of each request (0 for most). */
  readonly perRequest: Histogram

  constructor(
    private readonly stats: ServiceStats,
    policy: ServicePolicy,
  ) {
    const budget = (this.budget = new RetryBudget(policy.retries.budget))
    this.total = stats.counter('retries/total')
    this.budgetExhausted = stats.counter('retries/budget_exhausted')
    this.streamTooLong = stats.counter('retries/request_stream_too_long')
    this.perRequest = stats.stat('retries/per_request')
    stats.gauge('retries/budget', () => budget.available(performance.now()))
  }

  /**
   * `retries/response_stream_too_long`: an answer held for its outcome outgrew `responseBytes`
   * and went to the client unclassified (made on first use: answers decided at their head never
   * count it).
   */
  get responseStreamTooLong(): Counter {
    return this.stats.counter('retries/response_stream_too_long')
  }

  /** `retries/classification_timeout`: the same, its end not come within `classificationTimeoutMs`. */
  get classificationTimeout(): Counter {
    return this.stats.counter('retries/classification_timeout')
  }
}
