/**
 * The router admin's `/delegator`: the dtab playground. Shows each router's dtab in force (its
 * configured one, and namerd's when it follows one), takes a path and an override dtab (as an
 * `l5d-dtab` header would carry), checks the override as it is typed with the router's own
 * parser, and draws how the path delegates (`/delegator.json`). The form is kept in the URL, so
 * a link (a router's 502 carries one) opens it filled in.
 */
import { byId, fill, h } from '../dom.js'
import { getJson, RequestError, withQuery } from '../fetch.js'
import { header, ROUTER_PAGES } from '../nav.js'
import { dtabProblem, problemView } from '../dtab-check.js'
import { drawTree, type DelegateNode } from './tree.js'

/** What `/admin/dtabs.json` says of one router. */
interface RouterDtab {
  readonly label: string
  readonly dtab: string
  readonly namerd?: {
    readonly namespace: string
    readonly namerd: string
    readonly state: string
    readonly dtab: string | null
    readonly lastChange?: string
    readonly version?: string
  }
}

const params = new URLSearchParams(location.search)
const router = h('select', { id: 'router', 'aria-label': 'Router' })
const path = h('input', {
  type: 'text',
  id: 'path',
  placeholder: '/svc/users',
  'aria-label': 'Path',
  value: params.get('path') ?? '',
})
const dtab = h('textarea', {
  id: 'dtab',
  rows: 3,
  placeholder: '/svc/users => /srv/users-v2',
  'aria-label': 'Override dtab',
})
const problem = h('div', { id: 'dtab-problem' })
const base = h('div', { id: 'base' })
const result = h('div', { id: 'result' })
let routers: readonly RouterDtab[] = []

async function main(): Promise<void> {
  dtab.value = params.get('dtab') ?? ''
  dtab.addEventListener('input', () =>
    fill(problem, problemView(dtab.value, dtabProblem(dtab.value))),
  )
  router.addEventListener('change', showBase)
  const form = h(
    'form',
    { class: 'card', onsubmit: (e) => (e.preventDefault(), void delegate()) },
    h('label', null, 'Router ', router),
    h('p', null, h('label', null, 'Path ', path)),
    h(
      'p',
      null,
      h('label', { for: 'dtab' }, 'Override (appended to the dtab in force, as l5d-dtab is)'),
    ),
    dtab,
    problem,
    h('p', null, h('button', { type: 'submit', class: 'primary' }, 'Delegate')),
  )
  fill(
    byId('app'),
    header('router', ROUTER_PAGES, '/delegator'),
    h('main', null, form, base, result),
  )
  try {
    routers = (await getJson<{ routers: RouterDtab[] }>('/admin/dtabs.json')).routers
  } catch (e) {
    fill(base, h('p', { class: 'bad' }, (e as Error).message))
  }
  fill(
    router,
    routers.map((r) => h('option', { value: r.label }, r.label)),
  )
  const wanted = params.get('router')
  if (wanted !== null && routers.some((r) => r.label === wanted)) router.value = wanted
  showBase()
  fill(problem, problemView(dtab.value, dtabProblem(dtab.value)))
  if (path.value !== '') await delegate()
}

/** The dtab in force for the chosen router. */
function showBase(): void {
  const r = routers.find((x) => x.label === router.value)
  if (r === undefined) return fill(base)
  const n = r.namerd
  fill(
    base,
    h(
      'div',
      { class: 'card' },
      h('h3', null, 'Dtab in force'),
      n === undefined ? null : namerdPart(n),
      n === undefined ? null : h('p', null, 'then the router’s own:'),
      h('pre', { 'data-testid': 'router-dtab' }, r.dtab === '' ? '(empty)' : lines(r.dtab)),
    ),
  )
}

/** namerd's dtab: where it comes from, its version, its stream, its dentries. */
function namerdPart(n: NonNullable<RouterDtab['namerd']>): HTMLElement[] {
  const changed = n.lastChange === undefined ? '' : `, changed ${n.lastChange}`
  return [
    h(
      'p',
      null,
      `namerd ${n.namerd}, namespace `,
      h('code', null, n.namespace),
      ' at version ',
      h('code', { 'data-testid': 'namerd-version' }, n.version ?? 'unknown'),
      ` (stream ${n.state}${changed})`,
    ),
    h(
      'pre',
      { 'data-testid': 'namerd-dtab' },
      n.dtab === null ? '(not received yet)' : lines(n.dtab),
    ),
  ]
}

/** A dtab's dentries one per line (`;` only separates dentries in a dtab's show form). */
function lines(dtab: string): string {
  return dtab
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .join(';\n')
}

async function delegate(): Promise<void> {
  const q = { router: router.value, path: path.value, dtab: dtab.value }
  history.replaceState(null, '', withQuery('/delegator', q))
  if (dtabProblem(dtab.value) !== undefined) return
  fill(result, h('p', { class: 'status' }, 'delegating…'))
  try {
    const url = withQuery('/delegator.json', { namespace: q.router, path: q.path, dtab: q.dtab })
    fill(
      result,
      h(
        'div',
        { class: 'card' },
        h('h3', null, 'Delegation'),
        drawTree(await getJson<DelegateNode>(url)),
      ),
    )
  } catch (e) {
    const status = e instanceof RequestError && e.status > 0 ? `${e.status}: ` : ''
    fill(
      result,
      h('p', { class: 'bad', 'data-testid': 'delegate-error' }, status + (e as Error).message),
    )
  }
}

void main()
