/**
 * `io.l5d.etcd`: dtabs in etcd (v3 API), shared by every namerd replica on the same cluster.
 *
 *   storage:
 *     kind: io.l5d.etcd
 *     experimental: true          # linkerd required it; accepted, not required
 *     host: localhost             # or endpoints: [etcd-1:2379, etcd-2:2379]
 *     port: 2379
 *     pathPrefix: /namerd/dtabs   # key of namespace ns: /namerd/dtabs/ns (history: /namerd/dtabs/~history/ns/)
 *     tls: { caCertPath: ca.pem, certPath: client.pem, keyPath: client-key.pem }
 *     username: namerd            # or env NAMERD_ETCD_USERNAME
 *     password: secret            # or env NAMERD_ETCD_PASSWORD (better: not in the file)
 */
import { readFileSync } from 'node:fs'
import { ConfigError, type Section } from '../../../lib/config/section.js'
import { errorMessage } from '../../../lib/errors.js'
import type { EtcdOptions } from './client.js'
import { EtcdBackend } from './backend.js'
import type { StoragePlugin } from '../index.js'

/** The checked config, before files and the environment are read. */
export interface EtcdConfig {
  /** Where the section is, for errors found when building. */
  readonly at: string
  /** `host:port` of each member. */
  readonly endpoints: readonly string[]
  readonly pathPrefix: string
  readonly tls?: {
    readonly caCertPath?: string
    readonly certPath?: string
    readonly keyPath?: string
  }
  readonly username?: string
  readonly password?: string
}

const ENDPOINT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})$/

/** Checks an `io.l5d.etcd` section (pure; parseKind reads `kind` and `experimental`). */
export function readEtcdConfig(s: Section): EtcdConfig {
  if (s.has('endpoints') && (s.has('host') || s.has('port'))) {
    throw new ConfigError(s.where('endpoints'), 'give either endpoints or host and port, not both')
  }
  const endpoints = s.has('endpoints') ? s.list('endpoints', endpoint) : []
  if (s.has('endpoints') && endpoints.length === 0) {
    throw new ConfigError(s.where('endpoints'), 'expected at least one "host:port"')
  }
  const host = s.string('host', 'localhost')
  const port = s.number('port', 2379, { min: 1, max: 65535 })
  if (endpoints.length === 0) endpoints.push(hostPort(host, port))
  const pathPrefix = s.string('pathPrefix', '/namerd/dtabs')
  if (!pathPrefix.startsWith('/')) {
    throw new ConfigError(
      s.where('pathPrefix'),
      `must start with "/", got ${JSON.stringify(pathPrefix)}`,
    )
  }
  const username = s.optionalString('username')
  const password = s.optionalSecret('password')
  const tls = s.section('tls')
  return {
    at: s.at,
    endpoints,
    pathPrefix: pathPrefix.replace(/\/+$/, ''),
    ...(tls === undefined ? {} : { tls: readTls(tls) }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  }
}

function readTls(t: Section): NonNullable<EtcdConfig['tls']> {
  const caCertPath = t.optionalString('caCertPath')
  const certPath = t.optionalString('certPath')
  const keyPath = t.optionalString('keyPath')
  t.done()
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new ConfigError(
      t.at,
      'certPath and keyPath go together (a client certificate and its key)',
    )
  }
  return { caCertPath, certPath, keyPath }
}

function endpoint(v: unknown, at: string): string {
  const m = typeof v === 'string' ? ENDPOINT.exec(v) : null
  const port = Number(m?.[2])
  if (m === null || port < 1 || port > 65535) {
    throw new ConfigError(at, `expected "host:port", got ${JSON.stringify(v)}`)
  }
  return v as string
}

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * What the backend gets: TLS files read, credentials from the file or else the environment
 * (`NAMERD_ETCD_USERNAME`, `NAMERD_ETCD_PASSWORD`).
 */
export function etcdOptions(c: EtcdConfig, env: NodeJS.ProcessEnv): EtcdOptions {
  // An empty variable is as good as none (a template left it blank).
  const username = c.username ?? (env['NAMERD_ETCD_USERNAME'] || undefined)
  const password = c.password ?? (env['NAMERD_ETCD_PASSWORD'] || undefined)
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'username' : 'password'
    const envName = `NAMERD_ETCD_${missing.toUpperCase()}`
    throw new ConfigError(
      `${c.at}.${missing}`,
      `required with the ${missing === 'username' ? 'password' : 'username'} (in the file or ${envName})`,
    )
  }
  const scheme = c.tls === undefined ? 'http' : 'https'
  return {
    hosts: c.endpoints.map((e) => `${scheme}://${e}`),
    pathPrefix: c.pathPrefix,
    ...(c.tls === undefined ? {} : { tls: readTlsFiles(c.tls, `${c.at}.tls`) }),
    ...(username === undefined || password === undefined ? {} : { auth: { username, password } }),
  }
}

function readTlsFiles(t: NonNullable<EtcdConfig['tls']>, at: string): EtcdOptions['tls'] {
  const read = (key: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined
    try {
      return readFileSync(path)
    } catch (e) {
      throw new ConfigError(`${at}.${key}`, `cannot read ${path}: ${errorMessage(e)}`, { cause: e })
    }
  }
  const ca = read('caCertPath', t.caCertPath)
  const cert = read('certPath', t.certPath)
  const key = read('keyPath', t.keyPath)
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) }
}

export const etcdStorage: StoragePlugin = {
  kind: 'io.l5d.etcd',
  parse(s) {
    const config = readEtcdConfig(s)
    return (deps) =>
      new EtcdBackend(etcdOptions(config, deps.env ?? process.env), deps.log, deps.historySize)
  },
}
