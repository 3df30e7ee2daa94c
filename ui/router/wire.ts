/**
 * What the router's admin answers, as the pages read it: `/admin/dashboard.json`
 * (router/admin/dashboard/routes.ts), `/client_state.json`'s endpoints and `/delegator.json`'s
 * tree. Declared here because ui/ imports no program (it is served, not linked).
 */

/** A row's figures over the last interval; nulls when nothing ended. */
export interface Figures {
  readonly rps: number
  readonly success: number | null
  readonly p50Ms: number | null
  readonly p99Ms: number | null
}

export interface EndpointState {
  readonly endpoint: string
  readonly state: 'alive' | 'dead' | 'probing'
  /** ISO time a dead endpoint is next probed. */
  readonly until?: string
  readonly failures: number
  readonly weight: number
  readonly load: number
}

export interface Page<Row> {
  readonly total: number
  readonly matched: number
  readonly offset: number
  readonly rows: readonly Row[]
}

export interface ServiceRow {
  readonly name: string
  readonly figures: Figures | null
}

export interface ClientRow {
  readonly id: string
  readonly figures: Figures | null
  readonly panic?: boolean
  readonly endpoints?: readonly EndpointState[]
}

export interface RouterView {
  readonly label: string
  readonly figures: Figures | null
  readonly history: readonly Figures[]
  readonly services: Page<ServiceRow>
  readonly clients: Page<ClientRow>
}

export interface Dashboard {
  readonly intervalMs: number
  /** When the figures' interval ended (epoch ms). */
  readonly sampledAt: number
  /** How long that interval was (ms). */
  readonly coveredMs: number
  readonly routers: readonly RouterView[]
}

/** The page sizes the dashboard asks for. */
export const PAGE_ROWS = 25
