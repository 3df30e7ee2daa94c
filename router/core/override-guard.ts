/**
 * The override guard: a request's override (`l5d-dtab`, `l5d-ctx-dtab`) must not lead the
 * router to itself. For a call with an override, an endpoint is refused when
 *
 * - it is the router's admin or namerd (reached through an override, they would take
 *   `/admin/shutdown` or a dtab write from whoever can send a header), or
 * - it is one of the router's own servers and no transformer made that hop from an address
 *   that is not the router's (a loop through the router). A transformer is operator config:
 *   `io.l5d.port` sending an instance's traffic to this host's incoming server is the per-host
 *   pattern and stays allowed; an override naming the incoming server itself is not.
 *
 * The other endpoints of the client are used; none left is a 400 (`ERR_OVERRIDE_SELF`). The
 * verdict is computed once per client address set and self snapshot; calls without an override
 * never come here.
 */
import type { Addr, Bound, Var } from '../../dtabs/index.js'
import { RouterError } from '../errors.js'
import type { Endpoint } from '../model.js'
import { MappedVar } from '../transformers/mapped-var.js'
import type { Call } from './call.js'
import type { UpstreamClient } from './clients.js'
import type { SelfAddresses, SelfRole, SelfSnapshot } from './self-addresses.js'

interface Verdict {
  readonly addr: Addr
  readonly source: Addr
  readonly self: SelfSnapshot
  /** Refused endpoint keys and why. */
  readonly refused: ReadonlyMap<string, SelfRole>
}

/** Acquires endpoints for calls with an override; see the file header. */
export class OverrideGuard {
  readonly #verdicts = new WeakMap<UpstreamClient, Verdict>()

  constructor(private readonly self: SelfAddresses) {}

  /** An endpoint of the call's client the override may reach (counted in flight), or throws. */
  acquire(call: Call, client: UpstreamClient, avoid?: Endpoint): Endpoint | undefined {
    const { refused } = this.verdict(client, call.bound as Bound)
    const chosen = client.balancer.acquire(avoid)
    if (chosen === undefined || !refused.has(chosen.key)) return chosen
    // Undo the balancer's count; the least loaded allowed endpoint takes the call instead.
    chosen.pending -= 1
    const allowed = client.balancer.endpoints.filter((e) => !refused.has(e.key))
    const next = allowed.reduce<Endpoint | undefined>(
      (best, e) => (best === undefined || e.pending < best.pending ? e : best),
      undefined,
    )
    if (next === undefined) throw selfRefused(call, chosen, refused.get(chosen.key) as SelfRole)
    next.pending += 1
    return next
  }

  private verdict(client: UpstreamClient, bound: Bound): Verdict {
    const source = sourceOf(bound.addr).get()
    const self = this.self.snapshot()
    const last = this.#verdicts.get(client)
    if (last?.addr === client.addr && last.source === source && last.self === self) return last
    const verdict = { addr: client.addr, source, self, refused: refusals(client, source, self) }
    this.#verdicts.set(client, verdict)
    return verdict
  }
}

function refusals(client: UpstreamClient, source: Addr, self: SelfSnapshot): Map<string, SelfRole> {
  const transformed = client.id.startsWith('/%/')
  const fromSelf =
    source.type === 'bound' &&
    source.addrs.some(
      (a) => (self.control(a.host, a.port) ?? self.servers(a.host, a.port)) !== undefined,
    )
  const strict = !transformed || fromSelf
  const refused = new Map<string, SelfRole>()
  for (const e of client.balancer.endpoints) {
    const role = self.control(e.host, e.port) ?? (strict ? self.servers(e.host, e.port) : undefined)
    if (role !== undefined) refused.set(e.key, role)
  }
  return refused
}

/** The address set before any transformer mapped it (what a namer, or namerd, bound). */
function sourceOf(v: Var<Addr>): Var<Addr> {
  let at: Var<unknown> = v
  while (at instanceof MappedVar) at = at.source as Var<unknown>
  return at as Var<Addr>
}

const WHAT: Readonly<Record<SelfRole, string>> = {
  admin: "this router's admin server",
  namerd: 'namerd',
  server: 'one of its own servers (a loop)',
}

function selfRefused(call: Call, endpoint: Endpoint, role: SelfRole): RouterError {
  return new RouterError(
    'ERR_OVERRIDE_SELF',
    `Dtab override ${call.local.shown} leads ${call.name} to ${endpoint.key}, which is ` +
      `${WHAT[role]}: a request's override may not reach the router or namerd`,
  )
}
