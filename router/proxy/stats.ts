/** What the data path reports about each request it finished (the metrics module implements it). */
export interface RequestStats {
  /** An upstream response was relayed (any status). */
  forwarded(status: number, latencyMs: number): void
  /** The router answered with an error, or the exchange broke after the response started. */
  failed(status: number, error: unknown): void
}

export const noStats: RequestStats = {
  forwarded: () => undefined,
  failed: () => undefined,
}
