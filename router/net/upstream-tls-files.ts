/**
 * A client's TLS files (`trustCerts`, `clientAuth`) read into one secure context, and read again
 * when they change (lib/tls/reloading-files.ts, as the servers' files): new connections take the
 * new context, open ones keep theirs. Each set of files is read and watched once per router,
 * however many clients (templated `commonName`s) use it. Key material is never logged.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createSecureContext, type SecureContext } from 'node:tls'
import { ConfigError } from '../../lib/config/section.js'
import { errorMessage } from '../../lib/errors.js'
import type { Log } from '../../lib/log.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { keyMatchesCertificate, versionBounds } from '../../lib/tls/context-parts.js'
import { ReloadingFiles, type ReloadOptions } from '../../lib/tls/reloading-files.js'
import type { UpstreamTls } from './upstream-tls.js'

/** Each file of `settings` with its config key, as errors name them. */
function filesOf(s: ClientTlsConfig): Array<[key: string, path: string]> {
  const auth = s.clientAuth
  const chain = auth?.intermediateCertsPath
  return [
    ...s.trustCerts.map((p): [string, string] => ['trustCerts', p]),
    ...(auth === undefined
      ? []
      : [
          ['clientAuth.certPath', auth.certPath],
          ...(chain === undefined ? [] : [['clientAuth.intermediateCertsPath', chain]]),
          ['clientAuth.keyPath', auth.keyPath],
        ]),
  ] as Array<[string, string]>
}

function cannotRead(where: string, path: string, e: unknown): ConfigError {
  const why = (e as { code?: string }).code ?? errorMessage(e)
  return new ConfigError(where, `cannot read ${path} (${why})`)
}

/** The files of `settings` as text, by path (a ConfigError names the one that cannot be read). */
function readSync(s: ClientTlsConfig, at: string): Map<string, string> {
  return new Map(
    filesOf(s).map(([key, path]) => {
      try {
        return [path, readFileSync(path, 'utf8')]
      } catch (e) {
        throw cannotRead(`${at}.${key}`, path, e)
      }
    }),
  )
}

/** As `readSync`, without blocking (reloads happen while the router serves). */
async function readAll(s: ClientTlsConfig, at: string): Promise<Map<string, string>> {
  const one = async ([key, path]: [string, string]): Promise<[string, string]> => [
    path,
    await readFile(path, 'utf8').catch((e: unknown) => {
      throw cannotRead(`${at}.${key}`, path, e)
    }),
  ]
  return new Map(await Promise.all(filesOf(s).map(one)))
}

/** `text` must hold a certificate: OpenSSL ignores a CA file with none, trusting nothing. */
function certificate(text: string, path: string, where: string): X509Certificate {
  try {
    return new X509Certificate(text)
  } catch {
    throw new ConfigError(where, `${path} holds no PEM certificate`)
  }
}

/** The client key, checked against its certificate; errors name the files, never the key. */
function keyOf(s: ClientTlsConfig, text: (p: string) => string, at: string): string {
  const auth = s.clientAuth as NonNullable<ClientTlsConfig['clientAuth']>
  const cert = certificate(text(auth.certPath), auth.certPath, `${at}.clientAuth.certPath`)
  const where = `${at}.clientAuth.keyPath`
  const pem = text(auth.keyPath)
  let matches: boolean
  try {
    matches = keyMatchesCertificate(cert, pem)
  } catch (e) {
    throw new ConfigError(
      where,
      `${auth.keyPath} is not a usable private key (${(e as Error).message})`,
    )
  }
  if (!matches) {
    throw new ConfigError(where, `${auth.keyPath} does not match the certificate ${auth.certPath}`)
  }
  return pem
}

/** The secure context of `settings` from its files' text (`texts`, by path). */
function contextOf(s: ClientTlsConfig, texts: Map<string, string>, at: string): SecureContext {
  const text = (p: string): string => texts.get(p) ?? ''
  for (const p of s.trustCerts) certificate(text(p), p, `${at}.trustCerts`)
  const ca = s.trustCerts.map(text)
  const auth = s.clientAuth
  const chain =
    auth && [auth.certPath, auth.intermediateCertsPath].flatMap((p) => (p ? [text(p)] : []))
  const key = auth && keyOf(s, text, at)
  try {
    return createSecureContext({
      ...(ca.length > 0 ? { ca } : {}),
      ...(chain === undefined ? {} : { cert: chain.join('\n'), key }),
      ...versionBounds(s.protocols ?? []),
    })
  } catch (e) {
    // The key's content is never shown: only the library's reason.
    throw new ConfigError(at, `unusable certificate or key: ${(e as Error).message}`)
  }
}

/**
 * Reads the files `settings` names once, with no watching (pools made without a router's
 * `ClientTlsFiles`); a missing or bad file is a ConfigError naming it (`at`: the config's place).
 */
export function upstreamTls(settings: ClientTlsConfig, at = 'client.tls'): UpstreamTls {
  return { settings, context: contextOf(settings, readSync(settings, at), at) }
}

/** What tells two settings' files apart (`commonName` aside: templating does not touch files). */
function filesKey(s: ClientTlsConfig): string {
  return JSON.stringify([s.trustCerts, s.clientAuth ?? null, s.protocols ?? null])
}

/**
 * Contexts read once per set of files, unwatched (pools made without a router's
 * `ClientTlsFiles`): each templated `commonName` takes its files' context, with no new read. As
 * many as the config has sets of files (templating fills in names, never paths); a set that
 * fails is not kept, and is read again on its next use.
 */
export class ClientTlsContexts {
  private readonly contexts = new Map<string, SecureContext>()

  upstreamTls(settings: ClientTlsConfig): UpstreamTls {
    const key = filesKey(settings)
    let context = this.contexts.get(key)
    if (context === undefined) {
      context = upstreamTls(settings).context
      this.contexts.set(key, context)
    }
    return { settings, context }
  }
}

/** A client `tls:` section and where it is in the config (`routers[0].client.tls`). */
export interface PlacedClientTls {
  readonly tls: ClientTlsConfig
  readonly at: string
}

/**
 * The client TLS files of one router, each set read at start and watched: `upstreamTls` gives
 * a client's settings with the context in force; `close()` stops watching.
 */
export class ClientTlsFiles {
  private constructor(private readonly sets: ReadonlyMap<string, ReloadingFiles<SecureContext>>) {}

  /** Reads every set of files now (a ConfigError names a missing or bad file) and watches them. */
  static async open(
    configs: readonly PlacedClientTls[],
    log: Log,
    o?: ReloadOptions,
  ): Promise<ClientTlsFiles> {
    const sets = new Map<string, ReloadingFiles<SecureContext>>()
    try {
      for (const { tls, at } of configs) {
        const key = filesKey(tls)
        if (sets.has(key)) continue
        const set = {
          paths: filesOf(tls).map(([, path]) => path),
          load: async () => contextOf(tls, await readAll(tls, at), at),
          fields: { tls: at },
        }
        sets.set(key, await ReloadingFiles.open(set, log, o))
      }
    } catch (e) {
      for (const s of sets.values()) s.close()
      throw e
    }
    return new ClientTlsFiles(sets)
  }

  /** `settings` with its files' context kept current; undefined if not opened here. */
  upstreamTls(settings: ClientTlsConfig): UpstreamTls | undefined {
    const files = this.sets.get(filesKey(settings))
    return (
      files && {
        settings,
        get context() {
          return files.current
        },
      }
    )
  }

  close(): void {
    for (const s of this.sets.values()) s.close()
  }
}
