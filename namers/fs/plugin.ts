/**
 * `io.l5d.fs`: one file per service in `rootDir` (namer.ts and format.ts beside it have the file
 * format and the watching rules). A relative `rootDir` is relative to the working directory, as
 * in linkerd.
 *
 *   namers:
 *   - kind: io.l5d.fs
 *     rootDir: examples/disco
 *
 * Mounted at `/#/io.l5d.fs` unless `prefix` says otherwise; `/#/io.l5d.fs/users/x` binds to
 * the endpoints listed in `examples/disco/users`, id `/#/io.l5d.fs/users`, residual `/x`.
 */
import { ConfigError } from '../../lib/config/section.js'
import { FsNamer } from './namer.js'
import type { NamerPlugin } from '../index.js'

export const fsNamer: NamerPlugin = {
  kind: 'io.l5d.fs',
  parse(s) {
    const rootDir = s.string('rootDir')
    if (rootDir === '') throw new ConfigError(s.where('rootDir'), 'must not be empty')
    return ({ prefix, fsPollMs }) => new FsNamer({ rootDir, prefix, pollMs: fsPollMs })
  },
}
