/** The figure source a shift's flags name: the routers' admin metrics, or Prometheus. */
import { adminSource } from './admin-source.js'
import type { ShiftFlags } from './command.js'
import type { FigureSource } from './figures.js'
import { prometheusSource } from './prometheus-source.js'

/** Opens the source of `--admin URL...` or `--prometheus URL` (each request within `timeoutMs`). */
export function openFigureSource(flags: ShiftFlags, timeoutMs: number): FigureSource {
  if (flags.prometheus !== undefined) return prometheusSource(flags.prometheus, { timeoutMs })
  return adminSource(flags.admin ?? [], { timeoutMs })
}
