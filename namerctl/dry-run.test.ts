import test from 'ava'
import { percent, renderLive, type LiveReport } from './dry-run.js'

const bound = (split: Record<string, number>) => ({ split, state: 'bound' as const })

test('the live report: a line per affected name, then the count of live and untouched names', (t) => {
  const report: LiveReport = {
    version: 'AAAAAAAAAAI=',
    live: 7,
    untouched: 2,
    names: [
      {
        path: '/svc/users',
        before: bound({ '/#/io.l5d.fs/users-v1': 1 }),
        after: bound({ '/#/io.l5d.fs/users-v1': 0.9, '/#/io.l5d.fs/users-v2': 0.1 }),
        changes: ['split', 'endpoints'],
      },
      {
        path: '/svc/old',
        before: bound({ '/#/io.l5d.fs/old': 1 }),
        after: { split: {}, state: 'neg' },
        changes: ['split', 'neg'],
      },
      {
        path: '/svc/x',
        before: bound({ '/#/io.l5d.fs/x': 1 }),
        after: { split: {}, state: 'fail', error: 'too large' },
        changes: ['split', 'fail'],
      },
      {
        path: '/svc/slow',
        before: bound({ '/#/io.l5d.fs/slow': 1 }),
        after: { split: {}, state: 'pending' },
        changes: ['split', 'pending'],
      },
      {
        path: '/svc/db',
        before: bound({ '/$/inet/10.0.0.1/5432': 1 }),
        after: bound({ '/$/inet/10.0.0.1/5432': 1 }),
        changes: ['endpoints'],
      },
      {
        path: '/svc/alias',
        before: bound({ '/#/a': 0.125, '/#/b': 0.875 }),
        after: bound({ '/#/a': 0.125, '/#/c': 0.875 }),
        changes: ['split'],
      },
    ],
  }
  t.is(
    renderLive(report),
    [
      '/svc/users: /#/io.l5d.fs/users-v1 100% → 90%, /#/io.l5d.fs/users-v2 0% → 10%',
      '/svc/old: stops resolving (neg)',
      '/svc/x: fails: too large',
      '/svc/slow: unknown: not bound in time (pending)',
      '/svc/db: endpoints change',
      '/svc/alias: /#/b 87.5% → 0%, /#/c 0% → 87.5% (same endpoints)',
      '7 live names, 2 untouched',
      '',
    ].join('\n'),
  )
  t.is(
    renderLive({ version: null, live: 1, untouched: 1, names: [] }),
    '1 live name, 1 untouched\n',
  )
  t.regex(renderLive(null), /no dry-run API/)
})

test('shares print as percentages with at most one decimal', (t) => {
  t.deepEqual([1, 0.9, 0.125, 1 / 3, 0.0004, 0].map(percent), [
    '100%',
    '90%',
    '12.5%',
    '33.3%',
    '0%',
    '0%',
  ])
})
