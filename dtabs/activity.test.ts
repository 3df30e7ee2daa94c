import test from 'ava'
import {
  Cell,
  constant,
  ok,
  PENDING,
  settle,
  waitFor,
  type ActState,
  type Var,
} from './activity.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('a listener is never called during subscribe or set, only after, with the latest value', async (t) => {
  const cell = new Cell(1)
  const seen: number[] = []
  cell.subscribe((v) => seen.push(v))
  cell.set(2)
  cell.set(3)
  t.deepEqual(seen, [], 'nothing synchronous')
  await tick()
  t.deepEqual(seen, [3], 'one coalesced call with the latest value')
})

test('setting the same value again tells nobody', async (t) => {
  const cell = new Cell('a')
  let calls = 0
  cell.subscribe(() => calls++)
  cell.set('a')
  await tick()
  t.is(calls, 0)
})

test('a source runs only while observed, and the last value stays after it stops', async (t) => {
  const events: string[] = []
  const cell = new Cell<number>(0, (c) => {
    events.push('start')
    c.set(42)
    return () => events.push('stop')
  })
  t.deepEqual(events, [])
  const seen: number[] = []
  const stopA = cell.subscribe((v) => seen.push(v))
  const stopB = cell.subscribe(() => undefined)
  t.deepEqual(events, ['start'], 'started once, by the first subscriber')
  t.deepEqual(seen, [], 'not told synchronously even though the source set a value')
  await tick()
  t.deepEqual(seen, [42])
  stopA()
  stopA()
  t.deepEqual(events, ['start'], 'still observed by B')
  stopB()
  t.deepEqual(events, ['start', 'stop'])
  t.is(cell.get(), 42)
})

test('an unsubscribed listener is not called by a pending notification', async (t) => {
  const cell = new Cell(0)
  let calls = 0
  const stop = cell.subscribe(() => calls++)
  cell.set(1)
  stop()
  await tick()
  t.is(calls, 0)
})

test('constants never change and subscribing to them is free', (t) => {
  const c = constant(5)
  t.true(c.constant)
  t.is(c.get(), 5)
  t.is(typeof c.subscribe(() => undefined), 'function')
})

test('waitFor resolves at once when ready, on a later change, or rejects on timeout', async (t) => {
  const cell = new Cell(0)
  t.is(
    await waitFor(
      cell,
      (v) => v === 0,
      10,
      () => new Error('no'),
    ),
    0,
  )
  const later = waitFor(
    cell,
    (v) => v > 1,
    1000,
    () => new Error('no'),
  )
  cell.set(1)
  await tick()
  cell.set(2)
  t.is(await later, 2)
  await t.throwsAsync(
    waitFor(
      cell,
      (v) => v > 5,
      20,
      () => new Error('timed out'),
    ),
    { message: 'timed out' },
  )
  t.is(cell.observers, 0, 'waitFor leaves no subscription behind')
})

test('settle re-runs a pending computation when what it read changes, and gives up after ms', async (t) => {
  const source = new Cell<number | undefined>(undefined)
  const compute = (deps: Var<unknown>[]): ActState<number> => {
    deps.push(source)
    const v = source.get()
    return v === undefined ? PENDING : ok(v * 2)
  }
  setTimeout(() => source.set(21), 20)
  t.deepEqual(await settle(compute, 1000), ok(42))
  const never = new Cell<number | undefined>(undefined)
  const stuck = await settle((deps) => (deps.push(never), PENDING), 30)
  t.is(stuck.type, 'pending')
})
