import { ConfigError, type Section } from './config/section.js'

/**
 * Shape 1 of the house style: a plug-in makes a `T` from a `kind`-keyed config section.
 * `parse` is pure (no I/O); it checks its section and returns the builder that makes the live
 * object once its dependencies exist.
 */
export interface Plugin<T, Deps> {
  readonly kind: string
  readonly experimental?: boolean
  parse(section: Section): (deps: Deps) => T
}

/** The kinds of one family, by name. Built once per family in its index.ts. */
export type Registry<T, Deps> = ReadonlyMap<string, Plugin<T, Deps>>

export function registry<T, Deps>(...plugins: Plugin<T, Deps>[]): Registry<T, Deps> {
  const byKind = new Map<string, Plugin<T, Deps>>()
  for (const p of plugins) {
    if (byKind.has(p.kind)) throw new Error(`duplicate kind ${p.kind}`)
    byKind.set(p.kind, p)
  }
  return byKind
}

/**
 * Reads `kind`, hands the rest of the section to that plug-in and rejects leftovers. Kinds that
 * linkerd has but this project does not are named as such (`notHere`).
 */
export function parseKind<T, Deps>(
  plugins: Registry<T, Deps>,
  s: Section,
  options: { defaultKind?: string; notHere?: readonly string[] } = {},
): (deps: Deps) => T {
  const kind = s.string('kind', options.defaultKind)
  const plugin = plugins.get(kind)
  const known = [...plugins.keys()].join(', ')
  if (plugin === undefined) {
    throw new ConfigError(
      s.where('kind'),
      `${unknownKind(kind, options.notHere)} (known: ${known})`,
    )
  }
  const optedIn = s.bool('experimental', false)
  if (plugin.experimental === true && !optedIn) {
    throw new ConfigError(s.at, `${kind} is experimental; set "experimental: true" to use it`)
  }
  const make = plugin.parse(s)
  s.done()
  return make
}

/** `unknown kind "x"`, or, for a kind linkerd has, that it is not supported here. */
export function unknownKind(kind: string, notHere: readonly string[] = []): string {
  return notHere.includes(kind)
    ? `kind "${kind}" exists in linkerd but is not supported here`
    : `unknown kind "${kind}"`
}
