/**
 * The router admin's `/`: every router's live figures (request rate, success rate, p50 and p99
 * latency, with a short history), its services and clients a page at a time, each client's
 * endpoints with their load and health, then the interpreters' state and the config. Polls
 * `/admin/dashboard.json` once per interval while the page is visible.
 */
import { byId, fill, h } from '../dom.js'
import { getJson, RequestError, withQuery } from '../fetch.js'
import { clock } from '../format.js'
import { header, ROUTER_PAGES } from '../nav.js'
import { interpretersView } from './interpreter-view.js'
import { RouterSection } from './router-section.js'
import { PAGE_ROWS, type Dashboard } from './wire.js'

const query = { q: '', serviceOffset: 0, clientOffset: 0 }
const sections = new Map<string, RouterSection>()
const status = h('p', { class: 'status', role: 'status' }, 'loading…')
const routers = h('div', { id: 'routers' })
const interpreters = h('div', null)
const boundNames = h('div', null)
const config = h('pre', null)
let timer: ReturnType<typeof setTimeout> | undefined
/** Bumped by every poll: an answer to an older one is dropped (a newer poll owns the loop). */
let generation = 0

function main(): void {
  const filter = h('input', {
    type: 'search',
    id: 'filter',
    placeholder: 'Filter services and clients',
    'aria-label': 'Filter services and clients',
    oninput: (e) => {
      query.q = (e.target as HTMLInputElement).value
      query.serviceOffset = query.clientOffset = 0
      void poll()
    },
  })
  fill(
    byId('app'),
    header('router', ROUTER_PAGES, '/'),
    h(
      'main',
      null,
      h('div', { class: 'toolbar' }, filter, status),
      routers,
      h(
        'details',
        { id: 'interpreters', open: true },
        h('summary', null, 'Interpreter state'),
        interpreters,
      ),
      h('details', { id: 'bound-names' }, h('summary', null, 'Bound names'), boundNames),
      h('details', { id: 'config' }, h('summary', null, 'Config'), config),
    ),
  )
  document.addEventListener('visibilitychange', () => void poll())
  void poll()
  void slowParts()
}

/** Reads the figures and shows them, then polls again after the interval (not while hidden). */
async function poll(): Promise<void> {
  clearTimeout(timer)
  const mine = ++generation
  if (document.hidden) return
  let interval = 1000
  try {
    const url = withQuery('/admin/dashboard.json', { ...query, limit: PAGE_ROWS })
    const d = await getJson<Dashboard>(url)
    if (mine !== generation) return
    interval = d.intervalMs
    show(d)
    fill(status, `updated ${clock(new Date(d.sampledAt).toISOString())}`)
    status.classList.remove('bad')
  } catch (e) {
    if (mine !== generation) return
    // A status is an answer: the admin refused this query (a filter too long, say).
    const answered = e instanceof RequestError && e.status > 0
    fill(
      status,
      `${answered ? 'the admin refused' : 'the admin did not answer'}: ${(e as Error).message}`,
    )
    status.classList.add('bad')
  }
  timer = setTimeout(() => void poll(), interval)
}

function show(d: Dashboard): void {
  const slots = Math.max(60, ...d.routers.map((r) => r.history.length))
  const shown = d.routers.map((r) => {
    let s = sections.get(r.label)
    if (s === undefined) sections.set(r.label, (s = new RouterSection(r.label, move)))
    s.show(r, slots)
    return s.el
  })
  fill(routers, shown)
  routers.setAttribute('data-sampled-at', String(d.sampledAt))
  routers.setAttribute('data-covered-ms', String(d.coveredMs))
}

function move(which: 'service' | 'client', offset: number): void {
  if (which === 'service') query.serviceOffset = offset
  else query.clientOffset = offset
  void poll()
}

/** What changes seldom: the interpreters' state and bound names every 5 s, the config once. */
async function slowParts(): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v, null, 2)
  getJson('/config.json').then(
    (c) => fill(config, json(c)),
    (e: Error) => fill(config, e.message),
  )
  for (;;) {
    if (!document.hidden) {
      await getJson<Record<string, unknown>>('/interpreter_state.json').then(
        (s) => fill(interpreters, interpretersView(s)),
        (e: Error) => fill(interpreters, e.message),
      )
      await getJson<string[]>('/bound-names.json').then(
        (names) => fill(boundNames, namesView(names)),
        (e: Error) => fill(boundNames, e.message),
      )
    }
    await new Promise((r) => setTimeout(r, 5000))
  }
}

/** The names the namers know (`/bound-names.json`), the first 200 of them. */
function namesView(names: readonly string[]): HTMLElement {
  const shown = names.slice(0, 200)
  const more = names.length - shown.length
  return h(
    'div',
    null,
    h(
      'ul',
      null,
      shown.map((n) => h('li', null, h('code', null, n))),
    ),
    more > 0 ? h('p', { class: 'status' }, `and ${more.toLocaleString('en')} more`) : null,
    names.length === 0 ? h('p', { class: 'status' }, 'none yet') : null,
  )
}

main()
