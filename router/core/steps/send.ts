/**
 * The last service: the call goes to its endpoint's upstream (the transport's connection pool
 * for that endpoint), with the stamped headers and, when the request has one, its body (kept
 * whole by the retry step when it may be sent again).
 */
import type { Endpoint } from '../../model.js'
import type { Connector } from '../handler.js'
import type { Service } from '../service.js'

export function send(connector: Connector): Service {
  return function sent(call, handler): void {
    const { request } = call
    const upstream = connector.upstream(call.endpoint as Endpoint, call.client?.boundId)
    const body = call.body ?? (call.inbound.hasBody ? request.body : null)
    const headers = call.headers ?? call.inbound.headers
    upstream.dispatch({ method: request.method, path: call.url, headers, body }, handler)
  }
}
