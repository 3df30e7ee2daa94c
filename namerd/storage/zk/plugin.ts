/**
 * `io.l5d.zk`: dtabs in ZooKeeper, one znode per namespace, with linkerd's config keys.
 *
 *   storage:
 *     kind: io.l5d.zk
 *     zkAddrs:
 *     - host: zk1.example
 *       port: 2181            # default 2181
 *     pathPrefix: /dtabs      # default /dtabs
 *     sessionTimeoutMs: 10000 # default 10000
 *     authInfo:               # optional, sent on every connection
 *       scheme: digest
 *       auth: user:secret
 *     acls:                   # default world:anyone with crwda
 *     - scheme: digest
 *       id: user:BASE64SHA1
 *       perms: crwda
 */
import { ConfigError, Section } from '../../../lib/config/section.js'
import type { StoragePlugin } from '../index.js'
import { PERMS, type ZkConfig } from './layout.js'
import { ZkBackend } from './backend.js'

export const zkStorage: StoragePlugin = {
  kind: 'io.l5d.zk',
  parse(s) {
    const config = parseZkConfig(s)
    return (deps) => new ZkBackend({ ...config, log: deps.log, historySize: deps.historySize })
  },
}

/** Reads the `io.l5d.zk` keys of `s` (the caller rejects unknown keys with `s.done()`). */
export function parseZkConfig(s: Section): ZkConfig {
  if (!s.has('zkAddrs')) throw new ConfigError(s.where('zkAddrs'), 'required')
  const zkAddrs = s.list('zkAddrs', (raw, at) => {
    const a = new Section(raw, at)
    const addr = { host: a.string('host'), port: a.number('port', 2181, { min: 1, max: 65535 }) }
    a.done()
    if (addr.host === '' || /[,:/\s]/.test(addr.host))
      throw new ConfigError(a.where('host'), 'expected a host name or IPv4 address')
    return addr
  })
  if (zkAddrs.length === 0)
    throw new ConfigError(s.where('zkAddrs'), 'expected at least one address')
  const acls = s.list('acls', (raw, at) => {
    const a = new Section(raw, at)
    const acl = { scheme: a.string('scheme'), id: a.string('id'), perms: a.string('perms') }
    a.done()
    if (acl.perms === '' || [...acl.perms].some((c) => PERMS[c] === undefined))
      throw new ConfigError(a.where('perms'), 'expected one or more of the letters c, r, w, d, a')
    return acl
  })
  const authInfo = readAuthInfo(s.section('authInfo'))
  return {
    zkAddrs,
    pathPrefix: readPrefix(s),
    sessionTimeoutMs: s.number('sessionTimeoutMs', 10_000, { min: 1, max: 2 ** 31 - 1 }),
    acls: acls.length > 0 ? acls : [{ scheme: 'world', id: 'anyone', perms: 'crwda' }],
    ...(authInfo && { authInfo }),
  }
}

function readPrefix(s: Section): string {
  const prefix = s.string('pathPrefix', '/dtabs').replace(/\/+$/, '')
  const segments = prefix.split('/').slice(1)
  const ok = prefix.startsWith('/') && segments.every((p) => p !== '' && p !== '.' && p !== '..')
  if (!ok || prefix === '' || [...prefix].some((c) => c < ' ' || c === '\u007f'))
    throw new ConfigError(s.where('pathPrefix'), 'expected a znode path such as /dtabs')
  return prefix
}

/** `authInfo`, checked without ever echoing the secret in a message. */
function readAuthInfo(a: Section | undefined): ZkConfig['authInfo'] {
  if (a === undefined) return undefined
  const scheme = a.string('scheme')
  const auth = a.raw('auth')
  if (typeof auth !== 'string' || auth === '')
    throw new ConfigError(a.where('auth'), 'expected a non-empty string (not shown)')
  a.done()
  return { scheme, auth }
}
