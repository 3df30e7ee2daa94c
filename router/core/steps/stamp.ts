/**
 * The headers sent upstream: the request's forwarded headers (a list made for this call by the
 * context step, extended in place), then `Host` and linkerd's: `l5d-dst-service`,
 * `l5d-dst-client`, `l5d-reqid`, `l5d-dst-residual` (when the bound leaf has a residual path),
 * `l5d-ctx-dtab` (the call's local dtab, so the next router applies it too), `l5d-ctx-deadline`
 * (when the call has a deadline or an attempt timeout, so the next router stops in time too)
 * and `Via`.
 */
import { showPath } from '../../../dtabs/index.js'
import { RequestIds } from '../reqid.js'
import type { Call } from '../call.js'
import type { Service, Step } from '../service.js'

/**
 * `l5d-ctx-deadline` for this attempt (`<now ns> <deadline ns>`): the call's deadline, or the
 * end of the client's attempt timeout if earlier; none when neither is set.
 */
function attemptDeadline(call: Call): string | undefined {
  const attemptMs = call.client?.attemptTimeoutMs
  if (call.deadline === undefined && attemptMs === undefined) return undefined
  const now = Date.now()
  const byAttempt = attemptMs === undefined ? Infinity : now + attemptMs
  const deadline = Math.min(call.deadline ?? Infinity, byAttempt)
  return `${now}000000 ${Math.ceil(deadline)}000000`
}

/** The stamping step; `random` seeds the request ids. */
export function stamp(random: () => number): Step {
  const requestIds = new RequestIds(random)
  return (next: Service) =>
    function stamped(call, handler): void {
      const out = call.inbound.headers
      if (call.host !== undefined) out.push('host', call.host)
      out.push('l5d-dst-service', call.name, 'l5d-dst-client', call.client?.id ?? '')
      out.push('l5d-reqid', requestIds.next())
      const residual = call.bound?.path
      if (residual !== undefined && residual.length > 0) {
        out.push('l5d-dst-residual', showPath(residual))
      }
      if (call.local.shown !== '') out.push('l5d-ctx-dtab', call.local.shown)
      const deadline = attemptDeadline(call)
      if (deadline !== undefined) out.push('l5d-ctx-deadline', deadline)
      const via = call.inbound.via
      out.push('via', via === undefined ? call.via : `${via}, ${call.via}`)
      call.headers = out
      next(call, handler)
    }
}
