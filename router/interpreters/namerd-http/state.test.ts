/** What the metrics and the admin page make of an interpreter's streams (pure functions). */
import test from 'ava'
import { interpreterState, streamHealth } from './state.js'
import type { LiveStream } from './stream-var.js'
import type { WatchState } from '../../../lib/namerd-client/index.js'

const BASE = 'http://127.0.0.1:4180/api/1'

/** A stream as the interpreter sees it, in the given watch state. */
function stream(
  w: WatchState | { readonly state: 'idle' },
  url = `${BASE}/bind/default?path=%2Fsvc%2Fa&dtab=&watch=true`,
  value: unknown = 'pending',
): LiveStream {
  return {
    url,
    observers: 1,
    watchState: () => w,
    changes: () => ({ at: undefined, count: 0 }),
    shown: () => value,
    close: () => undefined,
  }
}

test('streamHealth: nothing running is healthy', (t) => {
  t.deepEqual(streamHealth([], 1000), { streams: 0, disconnected: 0, lagMs: 0 })
})

test('streamHealth: open, connecting and idle streams with no failure are connected', (t) => {
  const live = [
    stream({ state: 'open', since: 10, attempts: 0 }),
    stream({ state: 'connecting', since: 20, attempts: 0 }),
    stream({ state: 'idle' }),
    // A past failure, recovered: lastError stays, attempts went back to 0.
    stream({ state: 'open', since: 30, attempts: 0, downSince: 5, lastError: 'ECONNREFUSED' }),
    // Open again after failures, nothing new from namerd yet (attempts count until a document).
    stream({ state: 'open', since: 995, attempts: 2, downSince: 600 }),
  ]
  t.deepEqual(streamHealth(live, 1000), { streams: 5, disconnected: 0, lagMs: 0 })
})

test('streamHealth: the lag is the longest outage, from its first failure', (t) => {
  const live = [
    stream({ state: 'open', since: 900, attempts: 0 }),
    stream({ state: 'retrying', since: 950, attempts: 3, downSince: 400 }),
    // Reconnecting after failures counts as disconnected until a document arrives.
    stream({ state: 'connecting', since: 990, attempts: 1, downSince: 700 }),
  ]
  t.deepEqual(streamHealth(live, 1000), { streams: 3, disconnected: 2, lagMs: 600 })
})

test('streamHealth: without downSince, the outage counts from the last state change', (t) => {
  const live = [stream({ state: 'retrying', since: 250, attempts: 1 })]
  t.deepEqual(streamHealth(live, 1000), { streams: 1, disconnected: 1, lagMs: 750 })
})

test('interpreterState: dtab, then binds and addrs by path; kind, path and dtab from the URL', (t) => {
  const open = { state: 'open', since: Date.UTC(2024, 0, 1), attempts: 0 } as const
  const live = [
    stream(open, `${BASE}/addr/default?path=%2F%24%2Finet%2F127.0.0.1%2F9001&watch=true`),
    stream(open, `${BASE}/bind/default?path=%2Fsvc%2Fb&dtab=&watch=true`),
    stream(open, `${BASE}/bind/default?path=%2Fsvc%2Fa&dtab=%2Fa%3D%3E%2Fb&watch=true`),
    stream(open, `${BASE}/bind/default?path=%2Fsvc%2Fa&dtab=&watch=true`, { type: 'neg' }),
    stream({ state: 'idle' }, `${BASE}/dtabs/default?watch=true`),
  ]
  const state = interpreterState({ base: 'http://127.0.0.1:4180', namespace: 'default' }, live)
  t.like(state, { kind: 'io.l5d.namerd.http', namerd: 'http://127.0.0.1:4180' })
  t.deepEqual(
    state.streams.map((s) => [s.kind, s.path, s.dtab]),
    [
      ['dtab', undefined, undefined],
      ['bind', '/svc/a', undefined],
      ['bind', '/svc/a', '/a=>/b'],
      ['bind', '/svc/b', undefined],
      ['addr', '/$/inet/127.0.0.1/9001', undefined],
    ],
  )
  t.deepEqual(state.streams[1], {
    kind: 'bind',
    path: '/svc/a',
    state: 'open',
    since: '2024-01-01T00:00:00.000Z',
    attempts: 0,
    updates: 0,
    observers: 1,
    value: { type: 'neg' },
  })
  t.deepEqual(state.streams[0], {
    kind: 'dtab',
    state: 'idle',
    updates: 0,
    observers: 1,
    value: 'pending',
  })
})

test('interpreterState: lastError is shown while failing, not after a recovery', (t) => {
  const url = `${BASE}/dtabs/default?watch=true`
  const failing = { state: 'retrying', since: 1, attempts: 2, lastError: 'ECONNREFUSED' } as const
  const recovered = { ...failing, state: 'open', attempts: 0 } as const
  const target = { base: 'http://127.0.0.1:4180', namespace: 'default' }
  t.is(interpreterState(target, [stream(failing, url)]).streams[0]?.lastError, 'ECONNREFUSED')
  t.false('lastError' in (interpreterState(target, [stream(recovered, url)]).streams[0] ?? {}))
})
