/**
 * linkerd's `io.buoyant` system namers, reached as `/$/<name>/...` (linkerd
 * `namer/core/src/main/scala/io/buoyant/{hostport,http,rinet}.scala`). The rewriting ones turn
 * the path after their name into another path to resolve, or answer Neg when it does not
 * have their shape; `io.buoyant.rinet` binds like `/$/inet` with the port first.
 */
import { constant, failed, ok, type Activity } from '../../dtabs/activity.js'
import { NEG, type NameTree } from '../../dtabs/name-tree.js'
import type { Bound, Name } from '../../dtabs/name.js'
import { parseJavaInt, inetAddr, type HostResolver } from '../inet/inet.js'
import { isShowable, type Path } from '../../dtabs/path.js'
import { readPath } from '../../dtabs/parse.js'
import { elemOf, textOf } from '../text.js'

/** What a system namer may use besides its path. */
export interface SystemNamerEnv {
  readonly resolveHost: HostResolver
}

/** A `/$/<name>` namer: `path` is what follows the name, already UTF-8 normalised. */
export type SystemNamer = (path: Path, env: SystemNamerEnv) => Activity<NameTree<Name>>

/** A pure rewrite of a path's first element and the rest: the new path, or undefined for Neg. */
type Rewrite = (first: string, rest: Path) => Path | undefined

const NEG_ACTIVITY: Activity<NameTree<Name>> = constant(ok(NEG))

/** linkerd's `RewritingNamer`: an empty path or a failed rewrite is Neg, else a path leaf. */
function rewriting(rewrite: Rewrite): SystemNamer {
  return function lookupRewrite(path) {
    const [first, ...rest] = path
    const out = first === undefined ? undefined : rewrite(first, rest)
    return out === undefined ? NEG_ACTIVITY : constant(ok({ type: 'leaf', value: out }))
  }
}

/** linkerd's `Match.host`: coarse, so DNS names and IPv4/IPv6 literals (with a port) pass. */
const HOST = /^[A-Za-z0-9.:_-]+$/
const METHOD = /^[A-Z]+$/
/** A DNS label (RFC 1035/1123, as Kubernetes' DNS_LABEL); the length limit is checked apart. */
const DNS_LABEL = /^[a-z0-9][-a-z0-9]*$/

/** Java's `s.split(sep)`: like JS's, but trailing empty strings are removed. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep)
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}

/**
 * linkerd's `HostColonPort`: exactly one `host:port` pair whose port is a DNS label of at most
 * 63 characters. An empty host is refused too: linkerd would build an empty path element,
 * which a Path cannot hold.
 */
function hostColonPort(elem: string): [string, string] | undefined {
  const parts = javaSplit(textOf(elem), ':')
  const [host, port] = parts
  if (parts.length !== 2 || !host || !port) return undefined
  return port.length <= 63 && DNS_LABEL.test(port) ? [elemOf(host), elemOf(port)] : undefined
}

/** linkerd's `Match.subdomain`: `hostname` minus any `:port`, minus the `.domain` suffix. */
function subdomain(domain: string, hostname: string): string | undefined {
  const colon = hostname.indexOf(':')
  const host = colon > 0 ? hostname.slice(0, colon) : hostname
  const suffix = '.' + domain
  const sub = host.endsWith(suffix) ? host.slice(0, host.length - suffix.length) : ''
  return sub === '' ? undefined : sub
}

/** The labels of a host, last first (`foo.buoyant.io` → io, buoyant, foo); undefined if one is empty. */
function reversedLabels(host: string): string[] | undefined {
  const labels = javaSplit(host, '.').reverse()
  return labels.includes('') ? undefined : labels
}

function hostportPfx(pfx: string, [hp, ...rest]: Path): Path | undefined {
  const split = hp === undefined ? undefined : hostColonPort(hp)
  return split && [pfx, split[0], split[1], ...rest]
}

function porthostPfx(pfx: string, [hp, ...rest]: Path): Path | undefined {
  const split = hp === undefined ? undefined : hostColonPort(hp)
  return split && [pfx, split[1], split[0], ...rest]
}

function anyMethod(method: string, rest: Path): Path | undefined {
  return METHOD.test(method) ? rest : undefined
}

function anyMethodPfx(pfx: string, [method, ...rest]: Path): Path | undefined {
  return method !== undefined && METHOD.test(method) ? [pfx, ...rest] : undefined
}

function anyHost(host: string, rest: Path): Path | undefined {
  return HOST.test(host) ? rest : undefined
}

function anyHostPfx(pfx: string, [host, ...rest]: Path): Path | undefined {
  return host !== undefined && HOST.test(host) ? [pfx, ...rest] : undefined
}

function subdomainOf(domain: string, [host, ...rest]: Path): Path | undefined {
  if (host === undefined || !HOST.test(domain) || !HOST.test(host)) return undefined
  const sub = subdomain(domain, host)
  return sub === undefined ? undefined : [sub, ...rest]
}

function subdomainOfPfx(domain: string, [pfx, host, ...rest]: Path): Path | undefined {
  if (pfx === undefined || host === undefined) return undefined
  const sub = subdomainOf(domain, [host])
  return sub && [pfx, ...sub, ...rest]
}

function domainToPath(host: string, rest: Path): Path | undefined {
  const labels = HOST.test(host) ? reversedLabels(host) : undefined
  return labels && [...labels, ...rest]
}

function domainToPathPfx(pfx: string, [host, ...rest]: Path): Path | undefined {
  const out = host === undefined ? undefined : domainToPath(host, rest)
  return out && [pfx, ...out]
}

const RINET: Path = ['$', 'io.buoyant.rinet']

/**
 * `/$/io.buoyant.rinet/<port>/<host>[/rest]`: bound like `/$/inet/<host>/<port>` with id
 * `/$/io.buoyant.rinet/<port>/<host>`; Neg with fewer than two elements. A port that is not
 * an int gives a failed address set (Java's `NumberFormatException`), not Neg.
 */
function rinet(path: Path, env: SystemNamerEnv): Activity<NameTree<Name>> {
  const [port, host] = path
  if (port === undefined || host === undefined) return NEG_ACTIVITY
  const id = rinetId(port, host)
  if (id instanceof Error) return constant(failed(id))
  const portText = textOf(port)
  const portNumber = parseJavaInt(portText)
  const addr =
    portNumber === undefined
      ? constant({ type: 'failed' as const, cause: `For input string: "${portText}"` })
      : inetAddr(env.resolveHost, textOf(host), portNumber)
  const bound: Bound = { id, path: path.slice(2), addr }
  return constant(ok({ type: 'leaf', value: bound }))
}

/** linkerd builds the id with `Path.read("/port/host")` on the texts, so it may not parse. */
function rinetId(port: string, host: string): Path | Error {
  if (allShowable(port) && allShowable(host)) return [...RINET, port, host]
  try {
    return [...RINET, ...readPath(`/${textOf(port)}/${textOf(host)}`)]
  } catch (e) {
    return e as Error
  }
}

function allShowable(elem: string): boolean {
  for (let i = 0; i < elem.length; i++) if (!isShowable(elem.charCodeAt(i))) return false
  return true
}

/** The `/$/<name>` namers linkerd ships, by name. */
export const SYSTEM_NAMERS: ReadonlyMap<string, SystemNamer> = new Map([
  ['io.buoyant.rinet', rinet],
  ['io.buoyant.hostportPfx', rewriting(hostportPfx)],
  ['io.buoyant.porthostPfx', rewriting(porthostPfx)],
  ['io.buoyant.http.anyMethod', rewriting(anyMethod)],
  ['io.buoyant.http.anyMethodPfx', rewriting(anyMethodPfx)],
  ['io.buoyant.http.anyHost', rewriting(anyHost)],
  ['io.buoyant.http.anyHostPfx', rewriting(anyHostPfx)],
  ['io.buoyant.http.subdomainOf', rewriting(subdomainOf)],
  ['io.buoyant.http.subdomainOfPfx', rewriting(subdomainOfPfx)],
  ['io.buoyant.http.domainToPath', rewriting(domainToPath)],
  ['io.buoyant.http.domainToPathPfx', rewriting(domainToPathPfx)],
])
