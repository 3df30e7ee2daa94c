/** NamerdWatch's backoff, measured loosely against a closed port (lower bounds only). */
import test from 'ava'
import { freePort } from '../../testing/free-port.js'
import { eventually } from '../../testing/eventually.js'
import { recordWatch } from '../../testing/namerd-client/raw-server.js'
import { MIN_RETRY_DELAY_MS } from './backoff.js'
import type { WatchState } from './watch-options.js'

/** The waits between each `retrying` and the `connecting` after it, with the failure counts. */
function waits(states: readonly WatchState[]): { attempts: number; ms: number }[] {
  const out: { attempts: number; ms: number }[] = []
  states.forEach((s, i) => {
    const next = states[i + 1]
    if (s.state === 'retrying' && next?.state === 'connecting') {
      out.push({ attempts: s.attempts, ms: next.since - s.since })
    }
  })
  return out
}

test('a refusing server: attempts grow and, with random () => 1, each wait is the full cap', async (t) => {
  const port = await freePort()
  const retry = { baseMs: 20, maxMs: 160 }
  const w = recordWatch(t, { url: `http://127.0.0.1:${port}/`, retry, random: () => 1 })
  await eventually('six retries', () => waits(w.states).length >= 6)
  w.watch.close()
  const got = waits(w.states).slice(0, 6)
  t.deepEqual(
    got.map((g) => g.attempts),
    [1, 2, 3, 4, 5, 6],
  )
  for (const { attempts, ms } of got) {
    const cap = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempts - 1))
    t.true(ms >= cap - 2, `wait after failure ${attempts}: ${ms} ms, cap ${cap} ms`)
  }
  t.regex(w.states.find((s) => s.state === 'retrying')?.lastError ?? '', /ECONNREFUSED/)
  t.true(w.states.every((s) => s.state !== 'open'))
})

test('with random () => 0 the waits are the minimum, not zero; attempts still count up', async (t) => {
  const port = await freePort()
  const w = recordWatch(t, {
    url: `http://127.0.0.1:${port}/`,
    retry: { baseMs: 1000, maxMs: 60_000 },
    random: () => 0,
  })
  await eventually('ten retries', () => waits(w.states).length >= 10)
  w.watch.close()
  const got = waits(w.states).slice(0, 10)
  t.deepEqual(
    got.map((g) => g.attempts),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  )
  for (const { ms } of got) t.true(ms >= MIN_RETRY_DELAY_MS - 1, `waited ${ms} ms`)
})
