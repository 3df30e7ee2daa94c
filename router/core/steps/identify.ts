/**
 * Identification: the request becomes a logical name (`/svc/users`) by the router's
 * identifier. An absolute-form target is made origin-form first (its authority becomes `Host`),
 * so that identifiers and the endpoint see the same head. An unidentified request is a 400.
 */
import { showPath } from '../../../dtabs/index.js'
import { originForm } from '../../identifiers/origin-form.js'
import type { Identifier } from '../../model.js'
import { unknownDst } from '../failures.js'
import type { Service, Step } from '../service.js'

export function identify(identifier: Identifier): Step {
  return (next: Service) =>
    function identified(call, handler): void {
      const req = call.request
      const head = originForm(req)
      if (head !== req) {
        call.url = head.url
        call.host = head.headers.host
      }
      const id = identifier(head)
      if (!id.ok) throw unknownDst(req, id.reason)
      call.dst = id.dst
      call.name = showPath(id.dst)
      if (id.url !== undefined) call.url = id.url
      next(call, handler)
    }
}
