/**
 * namerd admin's `/`: the namespaces; the chosen one's dtab in an editor (editor.ts) and its
 * change history when namerd keeps one. `#ns=<name>` in the URL chooses one. An API token, when
 * the API wants one, is typed once per page (kept in memory only).
 */
import { byId, fill, h } from '../dom.js'
import { dtabProblem, problemView } from '../dtab-check.js'
import { clock } from '../format.js'
import { header, type NavLink } from '../nav.js'
import { createDtab, history, namespaces, readDtab, refused, useToken, type Past } from './api.js'
import { DtabEditor } from './editor.js'

const PAGES: readonly NavLink[] = [
  { href: '/', text: 'Dtabs' },
  { href: '/config.json', text: 'config.json' },
  { href: '/admin/metrics/prometheus', text: 'metrics' },
]

const list = h('ul', { id: 'namespaces', class: 'namespaces' })
const pane = h('div', { id: 'pane' })
const pastPane = h('div', { id: 'history' })
const status = h('p', { class: 'status', role: 'status' })

function main(): void {
  const token = h('input', {
    type: 'password',
    id: 'token',
    placeholder: 'API token (if namerd asks for one)',
    'aria-label': 'API token',
  })
  token.addEventListener('change', () => (useToken(token.value), void load()))
  fill(
    byId('app'),
    header('namerd', PAGES, '/'),
    h(
      'main',
      null,
      h('div', { class: 'toolbar' }, token, status),
      h(
        'div',
        { class: 'grid2' },
        h('div', null, h('div', { class: 'card' }, h('h3', null, 'Namespaces'), list, creator())),
        h('div', null, pane, pastPane),
      ),
    ),
  )
  window.addEventListener('hashchange', () => void open(chosen()))
  void load()
}

function chosen(): string | undefined {
  const v = new URLSearchParams(location.hash.slice(1)).get('ns')
  return v === null || v === '' ? undefined : v
}

async function load(): Promise<void> {
  try {
    const names = await namespaces()
    fill(
      list,
      names.length === 0
        ? h('li', null, 'none yet')
        : names.map((ns) =>
            h(
              'li',
              null,
              h('a', { href: `#${new URLSearchParams({ ns }).toString()}`, 'data-ns': ns }, ns),
            ),
          ),
    )
    fill(status)
  } catch (e) {
    const why = refused(e, 404)
      ? 'this admin serves no API (namerd has no io.l5d.httpController interface, or it takes only clients with a certificate, or its writes are open and the admin listens beyond loopback)'
      : (e as Error).message
    fill(status, h('span', { class: 'bad' }, why))
    return
  }
  await open(chosen())
}

async function open(ns: string | undefined): Promise<void> {
  fill(pane)
  fill(pastPane)
  if (ns === undefined) return
  try {
    const editor = new DtabEditor(ns, await readDtab(ns), () => void showHistory(ns))
    fill(pane, editor.el)
  } catch (e) {
    fill(pane, h('p', { class: 'bad' }, `${ns}: ${(e as Error).message}`))
    return
  }
  await showHistory(ns)
}

async function showHistory(ns: string): Promise<void> {
  let past: Past[]
  try {
    past = await history(ns)
  } catch (e) {
    return fill(pastPane, h('p', { class: 'status' }, `no history: ${(e as Error).message}`))
  }
  fill(
    pastPane,
    h(
      'div',
      { class: 'card' },
      h('h3', null, 'History (newest first)'),
      h(
        'ul',
        { class: 'history' },
        [...past]
          .reverse()
          .map((p) =>
            h(
              'li',
              null,
              h('code', null, p.version),
              ` ${clock(p.at)} `,
              p.by === undefined ? null : `by ${p.by} `,
              p.message === undefined ? null : h('em', null, p.message),
              h(
                'details',
                null,
                h('summary', null, p.dtab === null ? 'deleted' : 'dtab'),
                h('pre', null, p.dtab ?? ''),
              ),
            ),
          ),
      ),
    ),
  )
}

/** A form that creates a namespace (its first dtab checked as typed). */
function creator(): HTMLElement {
  const name = h('input', {
    type: 'text',
    id: 'new-ns',
    placeholder: 'new namespace',
    'aria-label': 'New namespace',
  })
  const text = h('textarea', {
    id: 'new-dtab',
    rows: 3,
    placeholder: '/svc => /#/io.l5d.fs',
    'aria-label': 'Its dtab',
  })
  const problem = h('div', null)
  const said = h('div', { role: 'status' })
  text.addEventListener('input', () =>
    fill(problem, problemView(text.value, dtabProblem(text.value))),
  )
  const create = async () => {
    if (name.value === '' || dtabProblem(text.value) !== undefined) return
    try {
      await createDtab(name.value, text.value)
      location.hash = new URLSearchParams({ ns: name.value }).toString()
      fill(said)
      await load()
    } catch (e) {
      fill(said, h('span', { class: 'bad' }, (e as Error).message))
    }
  }
  return h(
    'div',
    null,
    h('h3', null, 'New namespace'),
    name,
    text,
    problem,
    h('button', { type: 'button', onclick: () => void create() }, 'Create'),
    said,
  )
}

main()
