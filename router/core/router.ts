/**
 * One router's data path, protocol-neutral: a call goes through these steps, each a per-request
 * policy of the `(next) => next'` shape, to an endpoint of the transport's connector:
 *
 *   account → access log → answer → admit → grpc deadline → context → identify → bind
 *     → total timeout → retry → pick → stamp → balance (requeues) → attempt timeout → send
 *
 * Bindings and clients are cached (bounded, idle ones expire) and stay live, so namer and
 * namerd changes reach new calls without per-request dtab work; only waits (a binding or an
 * address set still pending) leave the synchronous path. Transports (router/h1/) make a `Call`
 * per request and hand it to `route` with the handler that writes the answer back.
 */
import type { Path } from '../../dtabs/index.js'
import type { RouterStats } from '../metrics/index.js'
import type { BalancerFactory, Identifier, Interpreter } from '../model.js'
import { Bindings } from './bindings.js'
import type { ClientHealth } from '../accrual/index.js'
import { Clients, type ClientsOptions } from './clients.js'
import type { Connector } from './handler.js'
import { OverrideGuard } from './override-guard.js'
import type { SelfAddresses } from './self-addresses.js'
import type { BudgetConfig } from './retry-budget.js'
import type { ServicePolicy } from './service-policy.js'
import { compose, type Service, type Step } from './service.js'
import { account, type InFlight } from './steps/account.js'
import { accessLog, type AccessLog } from './steps/access-log.js'
import { admit } from './steps/admit.js'
import { answer } from './steps/answer.js'
import { balance } from './steps/balance.js'
import type { AdminLink } from './admin-link.js'
import { bind } from './steps/bind.js'
import { readContext } from './steps/context.js'
import { grpcDeadline } from './steps/grpc-deadline.js'
import { identify } from './steps/identify.js'
import { pick } from './steps/pick.js'
import { retry } from './steps/retry.js'
import { send } from './steps/send.js'
import { stamp } from './steps/stamp.js'
import { attemptTimeout, totalTimeout } from './steps/timeouts.js'

/** What one router needs to route: its parts, built from config. */
export interface RouterSetup {
  readonly label: string
  readonly identify: Identifier
  readonly interpreter: Interpreter
  /** Where calls are sent: the transport's connection pools. */
  readonly connector: Connector
  /** The balancer factory for a client (bound id), from the `client` configs. */
  readonly balancerFor: (id: Path) => BalancerFactory
  readonly bindingTimeoutMs: number
  readonly cache: { readonly paths: number; readonly clients: number; readonly idleTtlSecs: number }
  readonly stats: RouterStats
  /** The `service` configs' settings of a logical name (absent: linkerd's defaults). */
  readonly policyFor?: (name: Path) => ServicePolicy
  /** `requestAttemptTimeoutMs` from the `client` configs, for a bound id. */
  readonly attemptTimeoutFor?: (id: Path) => number | undefined
  /** `requeueBudget` from the `client` configs, for a bound id. */
  readonly requeueBudgetFor?: (id: Path) => BudgetConfig | undefined
  /** `httpAccessLog`, opened. */
  readonly accessLog?: AccessLog
  readonly maxCallDepth?: number
  readonly random?: () => number
  /** Where naming failures' answers point (the admin's playground); absent: nowhere. */
  readonly adminLink?: AdminLink
  /** The process's own addresses: a request's override may not lead to them (absent: no guard). */
  readonly self?: SelfAddresses
  /** `failureAccrual` and `failFast` per bound id, failFast's probe, and the log (clients.ts). */
  readonly health?: Pick<ClientsOptions, 'healthFor' | 'health'>
}

/** See the file header. `close()` releases the caches, the connector and the access log. */
export class Router {
  /** Routes one call; the answer (an error answer included) goes to `handler`. Never throws. */
  readonly route: Service
  private readonly inFlightCalls: InFlight = { count: 0 }
  private readonly bindings: Bindings
  private readonly clients: Clients
  private readonly sweeper: NodeJS.Timeout

  constructor(private readonly setup: RouterSetup) {
    const idleTtlMs = setup.cache.idleTtlSecs * 1000
    this.bindings = new Bindings({
      interpreter: setup.interpreter,
      stats: setup.stats,
      maxSize: setup.cache.paths,
      idleTtlMs,
      policyFor: setup.policyFor,
    })
    this.clients = new Clients({
      stats: setup.stats,
      maxSize: setup.cache.clients,
      idleTtlMs,
      balancerFor: setup.balancerFor,
      attemptTimeoutFor: setup.attemptTimeoutFor,
      requeueBudgetFor: setup.requeueBudgetFor,
      ...setup.health,
    })
    this.route = compose(this.steps(), send(setup.connector))
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleTtlMs, 60_000)).unref()
  }

  private steps(): Step[] {
    const { setup } = this
    const random = setup.random ?? Math.random
    const logging = setup.accessLog === undefined ? [] : [accessLog(setup.accessLog)]
    return [
      account(this.inFlightCalls),
      ...logging,
      answer(setup.label, setup.adminLink),
      admit,
      grpcDeadline,
      readContext(setup.maxCallDepth),
      identify(setup.identify),
      bind(this.bindings, setup.bindingTimeoutMs),
      totalTimeout,
      retry,
      pick({
        clients: this.clients,
        interpreter: setup.interpreter,
        random,
        bindingTimeoutMs: setup.bindingTimeoutMs,
      }),
      stamp(random),
      balance(setup.self === undefined ? undefined : new OverrideGuard(setup.self)),
      attemptTimeout,
    ]
  }

  get label(): string {
    return this.setup.label
  }

  /** Calls in flight now (a graceful close waits for them). */
  get inFlight(): number {
    return this.inFlightCalls.count
  }

  /** Names bound so far (admin `/bound-names.json`): the clients' ids. */
  boundNames(): string[] {
    return this.clients.ids()
  }

  /** Each client's endpoint health, by client id (admin `/client_state.json`). */
  clientHealth(): Record<string, ClientHealth> {
    return this.clients.health()
  }

  private sweep(): void {
    this.bindings.sweep()
    this.clients.sweep()
  }

  /** Stops the caches' timers and watches and closes the connector (calls in flight finish). */
  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.bindings.close()
    this.clients.close()
    await this.setup.connector.close()
    await this.setup.accessLog?.close()
  }
}
