import test from 'ava'
import type { PastDtab } from './dtab-api.js'
import { historySteps, rollbackTarget } from './dtab-history.js'

const at = '2026-12-07T10:00:00.000Z'
const past: PastDtab[] = [
  { version: 'V1', dtab: '/a=>/1', at },
  { version: 'V2', dtab: '/a=>/1;/b=>/2', at },
  { version: 'V2', dtab: null, at },
  { version: 'V3', dtab: '/b=>/2', at },
]

test('each step is diffed against the one before; after a deletion, from nothing', (t) => {
  const changed = historySteps(past).map((s) =>
    s.changes.filter((c) => c.op !== ' ').map((c) => `${c.op}${c.dentry}`),
  )
  t.deepEqual(changed, [['+/a => /1'], ['+/b => /2'], ['-/a => /1', '-/b => /2'], ['+/b => /2']])
})

test('a past dtab that does not parse shows as its text, not a crash', (t) => {
  const steps = historySteps([{ version: 'X', dtab: '/a=>', at }])
  t.deepEqual(steps[0]?.changes, [{ op: '+', dentry: '(does not parse) /a=>' }])
})

test('the rollback target: the newest value before the current one, skipping deletions', (t) => {
  t.is(rollbackTarget('ns', past).dtab, '/a=>/1;/b=>/2')
  t.is(rollbackTarget('ns', past, 'V1').dtab, '/a=>/1')
  t.is(rollbackTarget('ns', past, 'V2').dtab, '/a=>/1;/b=>/2', 'the entry with a dtab')
  t.throws(() => rollbackTarget('ns', past, 'V9'), { message: /no version V9 with a dtab/ })
  t.throws(() => rollbackTarget('ns', past.slice(0, 1)), { message: /no earlier dtab is kept/ })
})
