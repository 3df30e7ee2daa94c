/**
 * The figure source a shift's flags name: the routers' admin metrics (listed, or named by a
 * namer path), or Prometheus.
 */
import { showPath } from '../../dtabs/index.js'
import type { Namerd } from '../client.js'
import { parsePathArg } from '../input.js'
import { adminPathSource } from './admin-path.js'
import { adminSource } from './admin-source.js'
import type { ShiftFlags } from './command.js'
import type { FigureSource } from './figures.js'
import { prometheusSource } from './prometheus-source.js'

/**
 * Opens the source of `--admin URL...`, `--admin-path PATH` (bound by `namerd` in dtab `name`
 * now, and at each interval) or `--prometheus URL`; each request within namerd's timeout.
 */
export async function openFigureSource(
  flags: ShiftFlags,
  namerd: Namerd,
  name: string,
): Promise<FigureSource> {
  const timeoutMs = namerd.timeoutMs
  if (flags.prometheus !== undefined) return prometheusSource(flags.prometheus, { timeoutMs })
  if (flags.adminPath !== undefined) {
    const path = showPath(parsePathArg(flags.adminPath))
    return adminPathSource(namerd, name, path, { timeoutMs })
  }
  return adminSource(flags.admin ?? [], { timeoutMs })
}
