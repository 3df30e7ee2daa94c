import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { errorMessage } from '../lib/errors.js'
import { CliConfigError } from './errors.js'

/** namerd's default API address (its `io.l5d.httpController` interface). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4180'

/** The environment variable read when `--base-url` is not given. */
export const BASE_URL_ENV = 'NAMERCTL_BASE_URL'

/** Config file names looked for in each directory, in this order. */
export const CONFIG_FILES = ['.namerctl.yaml', '.namerctl.yml', '.namerctl.json'] as const

/** Where the base URL may come from; each is optional. */
export interface BaseUrlSources {
  /** `--base-url`. */
  readonly flag?: string | undefined
  /** `NAMERCTL_BASE_URL` (empty counts as unset). */
  readonly env?: string | undefined
  /** `--config FILE`: read it (an error if unreadable) instead of searching. */
  readonly configFile?: string | undefined
  /** Where the search for `.namerctl.*` starts (then every parent up to the root). */
  readonly cwd: string
}

/**
 * The namerd base URL: `--base-url`, then `NAMERCTL_BASE_URL`, then the config file's
 * `base-url`, then `http://127.0.0.1:4180`. Only what is needed is read: a broken config file
 * does not matter when the flag is given. The result has no trailing `/`.
 */
export function resolveBaseUrl(src: BaseUrlSources): string {
  if (src.flag !== undefined) return parseBaseUrl(src.flag)
  if (src.env !== undefined && src.env !== '') return parseBaseUrl(src.env)
  const file = src.configFile ?? findConfigFile(src.cwd)
  const fromFile = file === undefined ? undefined : readConfigFile(file)
  return parseBaseUrl(fromFile ?? DEFAULT_BASE_URL)
}

/** The nearest `.namerctl.{yaml,yml,json}` in `dir` or a parent, or undefined. */
export function findConfigFile(dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    for (const name of CONFIG_FILES) {
      if (existsSync(join(at, name))) return join(at, name)
    }
    if (dirname(at) === at) return undefined
  }
}

/** The keys of a namerctl config file. */
export interface ConfigKeys {
  readonly baseUrl?: string
  /** Paths, relative to the config file's directory unless absolute. */
  readonly tokenFile?: string
  readonly tlsCa?: string
  readonly tlsCert?: string
  readonly tlsKey?: string
}

const KEYS = ['base-url', 'token-file', 'tls-ca', 'tls-cert', 'tls-key'] as const

/** The keys holding a path, and their names in `ConfigKeys`. */
const PATH_KEYS = [
  ['token-file', 'tokenFile'],
  ['tls-ca', 'tlsCa'],
  ['tls-cert', 'tlsCert'],
  ['tls-key', 'tlsKey'],
] as const

/** The `base-url` of a config file (YAML, or JSON for `.json`), or undefined if it has none. */
export function readConfigFile(file: string): string | undefined {
  return readConfigKeys(file).baseUrl
}

/** Every key of a config file (YAML, or JSON for `.json`); an unknown key is an error. */
export function readConfigKeys(file: string): ConfigKeys {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new CliConfigError(`cannot read config file ${file}: ${errorMessage(e)}`, { cause: e })
  }
  const doc = parseConfigText(text, file)
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new CliConfigError(`${file}: expected a mapping with the keys ${KEYS.join(', ')}`)
  for (const key of Object.keys(doc)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new CliConfigError(`${file}: unknown key "${key}" (the keys are ${KEYS.join(', ')})`)
  }
  const record = doc as Record<string, unknown>
  const baseUrl = stringKey(record, 'base-url', file)
  const keys: Record<string, string> = baseUrl === undefined ? {} : { baseUrl }
  for (const [key, name] of PATH_KEYS) {
    const path = stringKey(record, key, file)
    if (path !== undefined) keys[name] = resolve(dirname(file), path)
  }
  return keys as ConfigKeys
}

function stringKey(doc: Record<string, unknown>, key: string, file: string): string | undefined {
  const v = doc[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new CliConfigError(`${file}: ${key}: expected a string`)
  return v
}

function parseConfigText(text: string, file: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    const what = file.endsWith('.json') ? 'JSON' : 'YAML'
    throw new CliConfigError(`${file}: not valid ${what}: ${firstLine(errorMessage(e))}`, {
      cause: e,
    })
  }
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s
}

/**
 * A base URL checked: `http:` or `https:`, with a host, no query or fragment. Its path is kept
 * (requests go to `<base>/api/1/…`) without trailing slashes.
 */
export function parseBaseUrl(text: string): string {
  if (text.trim() === '') throw new CliConfigError('empty base URL')
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    throw new CliConfigError(`invalid base URL: ${text}`)
  }
  const httpish = url.protocol === 'http:' || url.protocol === 'https:'
  if (!httpish || url.hostname === '' || url.search !== '' || url.hash !== '')
    throw new CliConfigError(`invalid base URL: ${text}`)
  if (url.username !== '' || url.password !== '')
    throw new CliConfigError('invalid base URL: credentials in the URL are not supported')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
