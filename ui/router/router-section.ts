/** One router on the dashboard: its figures and history, a page of services, a page of clients. */
import { sparkline } from '../chart.js'
import { fill, h, type Child } from '../dom.js'
import { clock } from '../format.js'
import { figureCells, figureHeads, statBoxes } from './figures-view.js'
import {
  PAGE_ROWS,
  type ClientRow,
  type EndpointState,
  type Page,
  type RouterView,
} from './wire.js'

/** Where a pager moves a list: the new offset of `which`. */
export type PageMove = (which: 'service' | 'client', offset: number) => void

/** A router's section, made once and refilled at every poll (open details stay open). */
export class RouterSection {
  readonly el: HTMLElement
  private readonly figures = h('div', { class: 'figures' })
  private readonly services = h('div', { class: 'table services' })
  private readonly clients = h('div', { class: 'table clients' })

  constructor(
    private readonly label: string,
    private readonly move: PageMove,
  ) {
    this.el = h(
      'section',
      { class: 'router', 'data-router': label },
      h('h2', null, 'Router ', h('code', null, label)),
      this.figures,
      h('h3', null, 'Services'),
      this.services,
      h('h3', null, 'Clients'),
      this.clients,
    )
  }

  show(r: RouterView, slots: number): void {
    const history = (
      pick: (f: RouterView['history'][number]) => number | null,
      label: string,
      max?: number,
    ) =>
      h(
        'figure',
        null,
        sparkline(r.history.map(pick), { slots, label, ...(max === undefined ? {} : { max }) }),
        h('figcaption', null, label),
      )
    fill(
      this.figures,
      statBoxes(r.figures),
      h(
        'div',
        { class: 'history' },
        history((f) => f.rps, 'req/s'),
        history((f) => f.success, 'success', 1),
        history((f) => f.p99Ms, 'p99'),
      ),
    )
    const playground = (path: string) =>
      `/delegator?${new URLSearchParams({ router: this.label, path }).toString()}`
    fill(
      this.services,
      this.table(r.services, 'service', 'Service', (s) => [
        h('td', null, h('a', { href: playground(s.name) }, s.name)),
        figureCells(s.figures),
      ]),
    )
    fill(
      this.clients,
      this.table(r.clients, 'client', 'Client', (c) => [
        h(
          'td',
          null,
          h('code', null, c.id),
          c.panic === true ? h('span', { class: 'bad' }, ' panic') : null,
        ),
        figureCells(c.figures),
        h('td', null, endpoints(c)),
      ]),
    )
  }

  private table<Row>(
    page: Page<Row>,
    which: 'service' | 'client',
    title: string,
    cells: (row: Row) => Child[],
  ): Child[] {
    const heads = [
      h('th', null, title),
      figureHeads(),
      which === 'client' ? h('th', null, 'Endpoints') : null,
    ]
    return [
      h(
        'table',
        null,
        h('thead', null, h('tr', null, heads)),
        h(
          'tbody',
          null,
          page.rows.map((r) => h('tr', null, cells(r))),
        ),
      ),
      pager(page, (offset) => this.move(which, offset)),
    ]
  }
}

/** `1–25 of 1,000 (3,000 in all)` and the buttons that move by a page. */
function pager<Row>(page: Page<Row>, go: (offset: number) => void): HTMLElement {
  const size = Math.max(page.rows.length, 1)
  const shown =
    page.matched === 0
      ? 'none'
      : `${page.offset + 1}–${page.offset + page.rows.length} of ${page.matched.toLocaleString('en')}`
  const all = page.matched === page.total ? '' : ` (${page.total.toLocaleString('en')} in all)`
  return h(
    'div',
    { class: 'pager' },
    h(
      'button',
      {
        type: 'button',
        disabled: page.offset === 0,
        onclick: () => go(Math.max(0, page.offset - PAGE_ROWS)),
      },
      '‹ previous',
    ),
    h('span', null, shown + all),
    h(
      'button',
      {
        type: 'button',
        disabled: page.offset + size >= page.matched,
        onclick: () => go(page.offset + PAGE_ROWS),
      },
      'next ›',
    ),
  )
}

/** A client's endpoints: address, weight, load, and health when not alive. */
function endpoints(c: ClientRow): HTMLElement {
  return h('ul', { class: 'endpoints' }, (c.endpoints ?? []).map(endpoint))
}

function endpoint(e: EndpointState): HTMLElement {
  const health =
    e.state === 'dead'
      ? `dead until ${e.until === undefined ? '?' : clock(e.until)}`
      : e.state === 'probing'
        ? 'probing'
        : ''
  return h(
    'li',
    { 'data-state': e.state },
    h('code', null, e.endpoint),
    ` w${e.weight} · load ${e.load}`,
    health === '' ? null : h('span', { class: 'bad' }, ` ${health}`),
  )
}
