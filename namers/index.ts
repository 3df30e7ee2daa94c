/**
 * The namer family: config `namers:` entries, each mounted at `/#/<prefix>` (the prefix
 * defaults to the kind). `parseNamers` is pure; `startNamers` makes the namers and appends the
 * global `/$` namer, giving the list interpreters take. Namers import only `dtabs` and `lib`
 * (namerd uses them too).
 */
import { ConfigError, Section } from '../lib/config/section.js'
import { parseKind, registry, unknownKind, type Plugin } from '../lib/plugin.js'
import {
  readPath,
  showPath,
  startsWith,
  type MountedNamer,
  type Namer,
  type Path,
} from '../dtabs/index.js'
import { globalNamer } from './global.js'
import { fsNamer } from './fs/plugin.js'
import { rewriteNamer } from './rewrite/plugin.js'

/** A namer that may hold resources (watches, timers); `close()` releases them. */
export interface LiveNamer extends Namer {
  close(): void
}

/** What a namer builder receives. */
export interface NamerDeps {
  /** Where the namer is mounted, e.g. `['#', 'io.l5d.fs']` (its bound ids start with it). */
  readonly prefix: Path
  /** How often io.l5d.fs looks at its directory besides fs.watch events (default 500 ms). */
  readonly fsPollMs?: number
}

export type NamerPlugin = Plugin<LiveNamer, NamerDeps>

/** Every namer kind this project has. */
export const namers = registry<LiveNamer, NamerDeps>(fsNamer, rewriteNamer)

/** Namer kinds linkerd 1.7 has and this project does not (yet). */
export const LINKERD_ONLY_NAMERS: readonly string[] = [
  'io.l5d.consul',
  'io.l5d.curator',
  'io.l5d.dnssrv',
  'io.l5d.k8s',
  'io.l5d.k8s.external',
  'io.l5d.k8s.istio',
  'io.l5d.k8s.ns',
  'io.l5d.marathon',
  'io.l5d.rancher',
  'io.l5d.serversets',
  'io.l5d.zkLeader',
]

/** A checked `namers:` entry: its kind, where it is mounted, and how to make it. */
export interface NamerSpec {
  readonly kind: string
  /** The mount point, `/#/<prefix>`. */
  readonly prefix: Path
  /** Config location, e.g. `namers[1]`. */
  readonly at: string
  readonly make: (deps: NamerDeps) => LiveNamer
}

/**
 * Checks a `namers:` list (`raw` is the list; `at` its location). Mount points must not
 * overlap (one may not be a prefix of another), as namerd requires, so the order of namers
 * never matters. Pure: nothing is opened.
 */
export function parseNamers(raw: unknown, at = 'namers'): NamerSpec[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new ConfigError(at, 'expected a list of namers')
  const specs = raw.map((item, i) => parseNamer(new Section(item, `${at}[${i}]`)))
  specs.forEach((spec, i) => {
    const other = specs.slice(0, i).find((o) => overlaps(o.prefix, spec.prefix))
    if (other !== undefined) {
      throw new ConfigError(
        spec.at,
        `prefix ${showPath(spec.prefix)} overlaps ${showPath(other.prefix)} of ${other.at} (namer prefixes must not overlap)`,
      )
    }
  })
  return specs
}

function overlaps(a: Path, b: Path): boolean {
  return startsWith(a, b) || startsWith(b, a)
}

function parseNamer(s: Section): NamerSpec {
  const kind = s.string('kind')
  if (!namers.has(kind)) {
    const known = [...namers.keys()].join(', ')
    throw new ConfigError(
      s.where('kind'),
      `${unknownKind(kind, LINKERD_ONLY_NAMERS)} (known: ${known})`,
    )
  }
  const prefix = s.value('prefix', readPath, [kind])
  if (prefix.length === 0) throw new ConfigError(s.where('prefix'), 'must not be empty')
  rejectTransformers(s)
  const make = parseKind(namers, s)
  return { kind, prefix: ['#', ...prefix], at: s.at, make }
}

/**
 * A namer's `transformers:` is accepted only when empty: namer-level transformers are not
 * supported yet (interpreter-level ones are: router/transformers).
 */
function rejectTransformers(s: Section): void {
  const list = s.list('transformers', (item) => item)
  if (list.length > 0) {
    throw new ConfigError(s.where('transformers'), 'transformers are not supported yet')
  }
}

/** Running namers: configured ones in order, then `/$`; `close()` releases them all. */
export interface StartedNamers {
  readonly namers: readonly MountedNamer[]
  close(): void
}

/**
 * Makes every namer of `specs` and appends the global `/$` namer (`global`, by default
 * `globalNamer()`). If one fails to start, those already made are closed and the error thrown.
 */
export function startNamers(
  specs: readonly NamerSpec[],
  options: { readonly fsPollMs?: number; readonly global?: Namer } = {},
): StartedNamers {
  const live: { prefix: Path; namer: LiveNamer }[] = []
  const close = (): void => {
    for (const { namer } of live.splice(0)) namer.close()
  }
  try {
    for (const spec of specs) {
      live.push({
        prefix: spec.prefix,
        namer: spec.make({ prefix: spec.prefix, fsPollMs: options.fsPollMs }),
      })
    }
  } catch (e) {
    close()
    throw e
  }
  const mounted: MountedNamer[] = [
    ...live,
    { prefix: ['$'], namer: options.global ?? globalNamer() },
  ]
  return { namers: mounted, close }
}
