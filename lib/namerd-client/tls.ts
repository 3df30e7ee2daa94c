/**
 * TLS to namerd (`https:` URLs): the settings a caller read (its CA, client certificate and key
 * in one secure context, which may change when its files do), as Node request options, and a
 * handshake failure in words.
 */
import { Agent } from 'node:https'
import { isIP } from 'node:net'
import { checkServerIdentity, type PeerCertificate, type SecureContext } from 'node:tls'
import type { RequestOptions } from 'node:https'
import { isTlsCode, tlsFailureReason, tlsFailureWords } from '../tls/failure.js'

/** How to speak TLS to namerd. Absent for an `https:` URL: Node's defaults (system CAs). */
export interface NamerdTls {
  /**
   * The CAs trusted, and the client certificate and key if any (never logged); read for each new
   * connection, so that a getter returning the current context rotates them.
   */
  readonly context: SecureContext
  /**
   * The name namerd's certificate must carry (default: the URL's host). Sent as SNI unless it is
   * an IP address.
   */
  readonly name?: string
  /** Accept any certificate under any name (unsafe: encryption without authentication). */
  readonly disableValidation?: boolean
}

/**
 * Each settings' own agent: Node's agents pool connections by host, port and server name but
 * not by secure context, so settings with another client certificate must not share them. A new
 * context (files rotated) gets a new agent: the old one's cached TLS sessions would resume with
 * the old client certificate. Its open connections run on until namerd closes them.
 */
const agents = new WeakMap<NamerdTls, { readonly context: SecureContext; readonly agent: Agent }>()

function agentOf(tls: NamerdTls, context: SecureContext): Agent {
  const known = agents.get(tls)
  if (known?.context === context) return known.agent
  const agent = new Agent({ keepAlive: true })
  agents.set(tls, { context, agent })
  return agent
}

/** https request options, with the secure context Node passes on to `tls.connect`. */
type TlsRequestOptions = RequestOptions & { readonly secureContext?: SecureContext }

/** The request options of `tls` for `url` (none for `http:`); `pooled` adds its agent. */
export function tlsRequestOptions(
  url: URL,
  tls: NamerdTls | undefined,
  pooled: boolean,
): TlsRequestOptions {
  if (tls === undefined || url.protocol !== 'https:') return {}
  const name = tls.name
  const context = tls.context // read once: a reload may change it
  const options: TlsRequestOptions = {
    secureContext: context,
    rejectUnauthorized: tls.disableValidation !== true,
    ...(name !== undefined && isIP(name) === 0 ? { servername: name } : {}),
    checkServerIdentity: (host: string, cert: PeerCertificate) =>
      tls.disableValidation === true ? undefined : checkServerIdentity(name ?? host, cert),
  }
  return pooled ? { ...options, agent: agentOf(tls, context) } : options
}

/**
 * A failed TLS handshake in words (`TLS handshake failed: the certificate is not trusted …
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`), or undefined when `e` is not a TLS failure.
 */
export function tlsFailureText(e: unknown): string | undefined {
  const code = codeOf(e)
  if (code === undefined || !isTlsCode(code)) return undefined
  const reason = tlsFailureReason(code)
  const detail = reason === 'wrong_name' ? `${code}: ${messageOf(e)}` : code
  return `TLS handshake failed: ${tlsFailureWords(reason)} (${detail})`
}

function rootOf(e: unknown): unknown {
  let at = e
  while (at instanceof Error && at.cause !== undefined) at = at.cause
  return at
}

function codeOf(e: unknown): string | undefined {
  const at = rootOf(e) as { code?: unknown } | null
  return typeof at?.code === 'string' ? at.code : undefined
}

function messageOf(e: unknown): string {
  const at = rootOf(e)
  return at instanceof Error ? at.message : String(at)
}
