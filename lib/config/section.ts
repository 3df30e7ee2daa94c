import { CodedError, errorMessage } from '../errors.js'

/** A configuration problem, located: `routers[0].identifier.kind: unknown kind "x" (known: …)`. */
export class ConfigError extends CodedError {
  readonly code = 'ERR_CONFIG'
  constructor(
    readonly at: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${at}: ${problem}`, options)
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${JSON.stringify(v)}`
}

/**
 * A config object being read. Every read knows its location (`routers[0].servers[1].port`);
 * `done()` rejects keys nobody read, so typos are errors. The only way code reads config.
 */
export class Section {
  private readonly read = new Set<string>()
  private readonly obj: Readonly<Record<string, unknown>>

  constructor(
    raw: unknown,
    readonly at: string,
  ) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(at, `expected an object, got ${describe(raw)}`)
    }
    this.obj = raw as Record<string, unknown>
  }

  /** The location of `key` in this section, for error messages. */
  where(key: string): string {
    return this.at === '' ? key : `${this.at}.${key}`
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null
  }

  /** The raw value of `key` (marked as read), or undefined. */
  raw(key: string): unknown {
    this.read.add(key)
    const v = this.obj[key]
    return v === null ? undefined : v
  }

  string(key: string, fallback?: string): string {
    const v = this.raw(key)
    if (v === undefined) return this.missing(key, fallback)
    if (typeof v !== 'string')
      throw new ConfigError(this.where(key), `expected a string, got ${describe(v)}`)
    return v
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : (this.raw(key), undefined)
  }

  /** An optional secret (a password): like `optionalString`, but errors never show the value. */
  optionalSecret(key: string): string | undefined {
    const v = this.raw(key)
    if (v === undefined) return undefined
    if (typeof v !== 'string')
      throw new ConfigError(this.where(key), 'expected a string (not shown)')
    return v
  }

  bool(key: string, fallback?: boolean): boolean {
    const v = this.raw(key)
    if (v === undefined) return this.missing(key, fallback)
    if (typeof v !== 'boolean')
      throw new ConfigError(this.where(key), `expected true or false, got ${describe(v)}`)
    return v
  }

  /** A number within [min, max]; integers only unless `integer` is false. */
  number(
    key: string,
    fallback?: number,
    opts: { min?: number; max?: number; integer?: boolean } = {},
  ): number {
    const v = this.raw(key)
    if (v === undefined) return this.missing(key, fallback)
    const { min = -Infinity, max = Infinity, integer = true } = opts
    const ok = typeof v === 'number' && Number.isFinite(v) && (!integer || Number.isInteger(v))
    if (!ok || (v as number) < min || (v as number) > max) {
      const kind = integer ? 'an integer' : 'a number'
      throw new ConfigError(
        this.where(key),
        `expected ${kind} in [${min}, ${max}], got ${describe(v)}`,
      )
    }
    return v as number
  }

  optionalNumber(
    key: string,
    opts: { min?: number; max?: number; integer?: boolean } = {},
  ): number | undefined {
    return this.has(key) ? this.number(key, undefined, opts) : (this.raw(key), undefined)
  }

  /** A nested object as a Section; `undefined` if absent and `required` is false. */
  section(key: string): Section | undefined {
    const v = this.raw(key)
    return v === undefined ? undefined : new Section(v, this.where(key))
  }

  /** A list; each element given to `each` with its location. Absent is the empty list. */
  list<T>(key: string, each: (value: unknown, at: string) => T): T[] {
    const v = this.raw(key)
    if (v === undefined) return []
    if (!Array.isArray(v))
      throw new ConfigError(this.where(key), `expected a list, got ${describe(v)}`)
    return v.map((item, i) => each(item, `${this.where(key)}[${i}]`))
  }

  /** A value parsed by `reader` (e.g. a dtab); a reader's error is re-thrown with the location. */
  value<T>(key: string, reader: (text: string) => T, fallback?: T): T {
    if (!this.has(key)) {
      this.raw(key)
      return this.missing(key, fallback)
    }
    const text = this.string(key)
    try {
      return reader(text)
    } catch (e) {
      throw new ConfigError(this.where(key), errorMessage(e), { cause: e })
    }
  }

  /** Marks keys as accepted but unused (linkerd keys we parse and ignore). */
  ignore(...keys: string[]): void {
    for (const k of keys) this.read.add(k)
  }

  /** Rejects keys nobody read. Call after every read of the section. */
  done(): void {
    const unknown = Object.keys(this.obj).filter((k) => !this.read.has(k))
    if (unknown.length > 0)
      throw new ConfigError(this.at || '(top level)', `unknown key(s): ${unknown.join(', ')}`)
  }

  private missing<T>(key: string, fallback: T | undefined): T {
    if (fallback === undefined) throw new ConfigError(this.where(key), 'required')
    return fallback
  }
}

export type { Json }
