/**
 * A name observed again after its stream closed for idleness: it must not route by what namerd
 * said minutes ago, unless namerd is down (then the old binding beats none).
 */
import test from 'ava'
import { EMPTY_DTAB, readPath } from '../../dtabs/index.js'
import { eventually } from '../../testing/eventually.js'
import { shown, until } from '../../testing/router/interpreters.js'
import { inet, interpreterFor, startNamerd, streamsOf } from '../../testing/namerd/in-process.js'

const SLOW = 10_000

test('observed again after idling: waits for namerd, never the stale tree', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd, { lingerMs: 50 })
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  const stop = users.subscribe(() => undefined)
  await until(users, `ok ${inet(9001)}`, SLOW)
  stop()
  await eventually('the bind stream closed', () => streamsOf(interp, 'bind').length === 0)
  await namerd.setDtab(`/svc => ${inet(9002)}`)

  const seen: string[] = []
  t.teardown(users.subscribe((s) => seen.push(shown(s))))
  t.is(shown(users.get()), 'pending', 'not the stale tree')
  await until(users, `ok ${inet(9002)}`, SLOW)
  t.deepEqual(seen, [`ok ${inet(9002)}`], 'the stale tree was never published')
})

test('observed again after idling while namerd is down: the old tree after the first failure', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd, { lingerMs: 50, retry: { baseMs: 50, maxMs: 200 } })
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  const stop = users.subscribe(() => undefined)
  await until(users, `ok ${inet(9001)}`, SLOW)
  stop()
  await eventually('the bind stream closed', () => streamsOf(interp, 'bind').length === 0)
  await namerd.stop()

  t.teardown(users.subscribe(() => undefined))
  t.is(shown(users.get()), 'pending')
  await until(users, `ok ${inet(9001)}`, SLOW)
  t.is(streamsOf(interp, 'bind')[0]?.state, 'retrying', 'served while namerd is unreachable')

  await namerd.setDtab(`/svc => ${inet(9002)}`)
  await namerd.start()
  await until(users, `ok ${inet(9002)}`, SLOW)
})
