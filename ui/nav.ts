import { h } from './dom.js'

/** One link of a page's header. */
export interface NavLink {
  readonly href: string
  readonly text: string
}

/** The header of a page: the program's name, its pages (the current one marked), raw data. */
export function header(program: string, pages: readonly NavLink[], current: string): HTMLElement {
  return h(
    'header',
    null,
    h('strong', { class: 'brand' }, program),
    h(
      'nav',
      null,
      pages.map((p) =>
        h('a', { href: p.href, 'aria-current': p.href === current ? 'page' : undefined }, p.text),
      ),
    ),
  )
}

/** The router admin's pages. */
export const ROUTER_PAGES: readonly NavLink[] = [
  { href: '/', text: 'Dashboard' },
  { href: '/delegator', text: 'Dtab playground' },
  { href: '/admin/metrics.json?pretty=1', text: 'metrics.json' },
  { href: '/config.json', text: 'config.json' },
  { href: '/admin', text: 'admin endpoints' },
]
