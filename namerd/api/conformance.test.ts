/**
 * The public conformance vectors' `bind` and `delegateTree` groups through namerd's HTTP API:
 * the case's dtab stored as a namespace, the case's namers configured, the answer compared with
 * the vector's namerd JSON. Set DTAB_VECTORS to run another file of the same format.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { normalise } from '../../testing/normalise.js'
import { repoPath } from '../../testing/paths.js'
import { buildApi } from './server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'

const file = process.env.DTAB_VECTORS ?? repoPath('testing/conformance/dtab-vectors.json')
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = Record<string, any>
const groups = (JSON.parse(readFileSync(file, 'utf8')) as { groups: Record<string, Case[]> }).groups

async function ask(c: Case, route: 'bind' | 'delegate') {
  const api = buildApi(memoryContext({ conf: c.dtab as string }, c.namers))
  const url = `/api/1/${route}/conf?path=${encodeURIComponent(c.path as string)}`
  return api.inject(url)
}

test('the vectors have bind and delegateTree cases', (t) => {
  t.true((groups.bind ?? []).length > 0)
  t.true((groups.delegateTree ?? []).length > 0)
})

for (const c of groups.bind ?? []) {
  test(`bind via API: ${c.name}`, async (t) => {
    const r = await ask(c, 'bind')
    if (c.result === null) {
      t.is(r.statusCode, 502, r.body)
      return
    }
    t.is(r.statusCode, 200, r.body)
    t.true(r.body.endsWith('\n'))
    if (c.namerdJson !== undefined)
      t.deepEqual(normalise(JSON.parse(r.body)), normalise(c.namerdJson))
  })
}

for (const c of groups.delegateTree ?? []) {
  test(`delegate via API: ${c.name}`, async (t) => {
    const r = await ask(c, 'delegate')
    if (c.result === null) {
      t.is(r.statusCode, 502, r.body)
      return
    }
    t.is(r.statusCode, 200, r.body)
    t.deepEqual(normalise(JSON.parse(r.body)), normalise(c.result))
  })
}
