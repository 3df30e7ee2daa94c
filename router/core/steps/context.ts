/**
 * linkerd's request context (`l5d-*` headers and `Via`), read once per call: the headers to
 * forward, the dtab overrides (`l5d-ctx-dtab`, then `l5d-dtab`; none from an untrusted edge),
 * and proxy-loop detection (more `Via` entries than `maxCallDepth` is a 400).
 */
import { maxCallDepth as tooDeep } from '../failures.js'
import { readInbound, viaDepth } from '../headers.js'
import { LocalDtabReader } from '../local-dtab.js'
import type { Service, Step } from '../service.js'

/** The context step; `maxCallDepth` defaults to linkerd's 1000. */
export function readContext(maxCallDepth = 1000): Step {
  const localDtabs = new LocalDtabReader()
  return (next: Service) =>
    function contextRead(call, handler): void {
      const inbound = readInbound(call.request.rawHeaders ?? [], call.server.clearContext)
      call.inbound = inbound
      if (viaDepth(inbound.via) >= maxCallDepth) throw tooDeep(maxCallDepth)
      call.local = localDtabs.read(inbound.ctxDtab, inbound.userDtab)
      call.host = inbound.host
      next(call, handler)
    }
}
