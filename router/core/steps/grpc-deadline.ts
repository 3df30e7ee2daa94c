/**
 * A gRPC call's own deadline (`grpc-timeout`, e.g. `100m`): from the moment the router has the
 * request, it bounds everything, binding included, so a call whose name takes longer to bind
 * (or an endpoint to answer) fails with DEADLINE_EXCEEDED (`ERR_DEADLINE_EXCEEDED`) when the
 * caller stops waiting, and its exchange is aborted. The header is forwarded unchanged (the
 * endpoint enforces it too), and the deadline is sent on as `l5d-ctx-deadline` to a next router
 * (the total timeout step keeps the earlier of it and its own). A malformed value is ignored.
 */
import { RouterError } from '../../errors.js'
import type { Call } from '../call.js'
import { grpcTimeoutMs } from '../grpc.js'
import { resume, type Service, type Step } from '../service.js'
import { Deadline } from './timeouts.js'

export const grpcDeadline: Step = (next: Service) =>
  function grpcTimed(call, handler): void {
    const ms = grpcTimeoutMs(call.request)
    if (ms === undefined) return next(call, handler)
    call.deadline = Date.now() + ms
    if (ms <= 0) throw grpcDeadlineExceeded(call, ms)
    resume(next, call, new Deadline(handler, ms, () => grpcDeadlineExceeded(call, ms)))
  }

function grpcDeadlineExceeded(call: Call, ms: number): RouterError {
  const text = `the caller's deadline (grpc-timeout) of ${ms} ms passed`
  const where = call.name === '' ? '' : `\n\nservice name: ${call.name}`
  return new RouterError('ERR_DEADLINE_EXCEEDED', text + where)
}
