/**
 * Concurrent namerctl writers on one dtab, against a real namerd on the io.l5d.file store:
 * update is safe by default (of two that read the same version, one wins and one exits 7), and
 * set retries on a conflict (concurrent sets on different prefixes all land). Several rounds.
 */
import test from 'ava'
import { Cleanups, startFileNamerd } from '../../testing/namerctl/setup.js'
import { NamerdApi } from '../../testing/namerctl/namerd-api.js'
import { racingSets, racingUpdates, racingVersionedUpdates } from '../../testing/namerctl/race.js'

const ROUNDS = 5

const cleanups = new Cleanups()
let api: NamerdApi
test.before(async () => {
  api = new NamerdApi((await startFileNamerd(cleanups)).namerd.api)
})
test.after.always(() => cleanups.run())

test('two concurrent updates reading the same version: one exits 0, the other 7', async (t) => {
  for (let round = 0; round < ROUNDS; round++) await racingUpdates(t, api)
})

test('two concurrent updates with the same --version: one exits 0, the other 7', async (t) => {
  for (let round = 0; round < 3; round++) await racingVersionedUpdates(t, api)
})

test('two concurrent sets on different prefixes reading the same version both land', async (t) => {
  for (let round = 0; round < 3; round++) await racingSets(t, api, { count: 2, barrier: true })
})

test('three concurrent sets racing freely all land', async (t) => {
  await racingSets(t, api, { count: 3, barrier: false })
})

test('two concurrent set --create on a missing dtab both land (409 retried)', async (t) => {
  await racingSets(t, api, { count: 2, barrier: true, create: true })
})
