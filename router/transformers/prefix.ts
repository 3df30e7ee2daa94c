import { readPath, type Path } from '../../dtabs/index.js'
import { ConfigError, type Section } from '../../lib/config/section.js'

/**
 * A transformer's id prefix: `/%` followed by its `prefix:` (default `fallback`), as linkerd's
 * `Paths.TransformerPrefix ++ prefix`. namerd's `/api/1/addr` strips these `/%/…` elements.
 */
export function transformerPrefix(s: Section, fallback: Path): Path {
  const prefix = s.value('prefix', readPath, fallback)
  if (prefix.length === 0) throw new ConfigError(s.where('prefix'), 'must not be empty')
  return ['%', ...prefix]
}
