/** The figure source a shift's flags name: the routers' admin metrics, or Prometheus. */
import { UsageError } from '../errors.js'
import type { ShiftFlags } from './command.js'
import type { FigureSource } from './figures.js'

/** Opens the source of `--admin URL...` or `--prometheus URL` (each request within `timeoutMs`). */
export function openFigureSource(flags: ShiftFlags, timeoutMs: number): FigureSource {
  void timeoutMs
  throw new UsageError(`figures from ${flags.prometheus ?? flags.admin?.join(', ')}: not built yet`)
}
