/**
 * linkerd's request context (`l5d-*` headers and `Via`), read once per call: the headers to
 * forward, the dtab overrides (`l5d-ctx-dtab`, then `l5d-dtab`; none from an untrusted edge),
 * and proxy-loop detection (more `Via` entries than `maxCallDepth` is a 400). An override that
 * names a literal address is a 400 unless the server takes those from this client.
 */
import { maxCallDepth as tooDeep } from '../failures.js'
import { readInbound, viaDepth } from '../headers.js'
import { LocalDtabReader } from '../local-dtab.js'
import { DEFAULT_LITERAL_POLICY, literalAllowed, literalRefused } from '../override-literals.js'
import type { Call } from '../call.js'
import type { Service, Step } from '../service.js'

/** The context step; `maxCallDepth` defaults to linkerd's 1000. */
export function readContext(maxCallDepth = 1000): Step {
  const localDtabs = new LocalDtabReader()
  return (next: Service) =>
    function contextRead(call, handler): void {
      const { request } = call
      let inbound = readInbound(request.rawHeaders ?? [], call.server.clearContext)
      if (request.bodyFollows === true && !inbound.hasBody)
        inbound = { ...inbound, hasBody: true, bodyLength: -1 }
      call.inbound = inbound
      if (viaDepth(inbound.via) >= maxCallDepth) throw tooDeep(maxCallDepth)
      const local = (call.local = localDtabs.read(inbound.ctxDtab, inbound.userDtab))
      if (local.literal !== undefined) checkLiteral(call, local.literal)
      call.host = inbound.host
      next(call, handler)
    }
}

function checkLiteral(call: Call, dentry: string): void {
  const policy = call.server.literalOverrides ?? DEFAULT_LITERAL_POLICY
  const from = call.request.remoteAddress
  if (!literalAllowed(policy, from)) throw literalRefused(dentry, policy, from)
}
