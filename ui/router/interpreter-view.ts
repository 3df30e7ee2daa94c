/**
 * The interpreters' state on the dashboard (`/interpreter_state.json`): for a router following
 * namerd, where namerd is and each stream it keeps (the namespace's dtab, each name's binding,
 * each id's addresses) with its health; any other interpreter as its JSON.
 */
import { h, type Child } from '../dom.js'
import { clock } from '../format.js'

/** One stream as router/interpreters/namerd-http/state.ts shows it. */
interface Stream {
  readonly kind: string
  readonly path?: string
  readonly dtab?: string
  readonly state: string
  readonly host?: string
  readonly since?: string
  readonly attempts?: number
  readonly lastError?: string
  readonly lastChange?: string
  readonly updates: number
}

interface NamerdState {
  readonly kind: 'io.l5d.namerd.http'
  readonly namerd: string
  readonly replicas?: readonly string[]
  readonly namespace: string
  readonly streams: readonly Stream[]
}

/** Every router's interpreter state, by router label. */
export function interpretersView(all: Readonly<Record<string, unknown>>): Child[] {
  return Object.entries(all).map(([label, state]) =>
    h(
      'div',
      { class: 'card', 'data-interpreter': label },
      h('h3', null, 'Router ', h('code', null, label)),
      stateView(state),
    ),
  )
}

function stateView(state: unknown): Child {
  if (state === null)
    return h('p', { class: 'status' }, 'its own dtab and namers (no interpreter state)')
  if ((state as { kind?: unknown }).kind !== 'io.l5d.namerd.http') {
    return h('pre', null, JSON.stringify(state, null, 2))
  }
  const s = state as NamerdState
  const replicas =
    s.replicas === undefined ? '' : ` (replicas: ${s.replicas.join(', ') || 'none known'})`
  return [
    h(
      'p',
      null,
      'namerd ',
      h('code', null, s.namerd),
      replicas,
      ', namespace ',
      h('code', null, s.namespace),
    ),
    h(
      'table',
      { class: 'streams' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['stream', 'name', 'state', 'since', 'changed', 'updates'].map((c) => h('th', null, c)),
        ),
      ),
      h('tbody', null, s.streams.map(streamRow)),
    ),
  ]
}

function streamRow(s: Stream): HTMLElement {
  const healthy = s.state === 'open'
  const failing = s.attempts !== undefined && s.attempts > 0
  return h(
    'tr',
    { 'data-state': s.state },
    h('td', null, s.kind),
    h(
      'td',
      null,
      h('code', null, s.path ?? ''),
      s.dtab === undefined ? null : h('div', { class: 'status' }, `with ${s.dtab}`),
    ),
    h(
      'td',
      { class: healthy ? 'good' : 'bad' },
      s.state,
      s.host === undefined ? null : ` ${s.host}`,
      failing ? h('div', null, `${s.attempts} failed attempts: ${s.lastError ?? ''}`) : null,
    ),
    h('td', null, s.since === undefined ? '' : clock(s.since)),
    h('td', null, s.lastChange === undefined ? '' : clock(s.lastChange)),
    h('td', { class: 'num' }, s.updates),
  )
}
