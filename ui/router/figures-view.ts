/** How the dashboard shows figures: big stat boxes for a router, table cells for a row. */
import { h, type Child } from '../dom.js'
import { ms, percent, rate } from '../format.js'
import type { Figures } from './wire.js'

/** The four figures, each with its name, text and raw value (`data-figure`, `data-value`). */
const SHOWN = [
  ['rps', 'req/s', (f: Figures) => f.rps, rate],
  ['success', 'success', (f: Figures) => f.success, percent],
  ['p50', 'p50', (f: Figures) => f.p50Ms, ms],
  ['p99', 'p99', (f: Figures) => f.p99Ms, ms],
] as const

type Shown = (typeof SHOWN)[number]

function value(s: Shown, f: Figures | null): number | null {
  return f === null ? null : s[2](f)
}

function text(s: Shown, f: Figures | null): string {
  const v = value(s, f)
  return v === null ? '–' : (s[3] as (v: number) => string)(v)
}

/** A router's figures as stat boxes. */
export function statBoxes(f: Figures | null): HTMLElement {
  return h(
    'div',
    { class: 'stats' },
    SHOWN.map((s) =>
      h(
        'div',
        { class: 'stat', 'data-figure': s[0], 'data-value': value(s, f) ?? '' },
        h('span', { class: 'v' }, text(s, f)),
        h('span', { class: 'k' }, s[1]),
      ),
    ),
  )
}

/** The figures' column headers. */
export function figureHeads(): Child[] {
  return SHOWN.map((s) => h('th', { class: 'num' }, s[1]))
}

/** A row's figures as table cells. */
export function figureCells(f: Figures | null): Child[] {
  return SHOWN.map((s) =>
    h('td', { class: 'num', 'data-figure': s[0], 'data-value': value(s, f) ?? '' }, text(s, f)),
  )
}
