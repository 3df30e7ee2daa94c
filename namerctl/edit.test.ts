import test from 'ava'
import { readDentry, readDtab, readPrefix, showDtab, type Dtab } from '../dtabs/index.js'
import { removePrefix, setDentry } from './edit.js'

const dtab = (text: string): Dtab => readDtab(text)

test('set replaces the destination of the last dentry with that prefix, leaving earlier ones', (t) => {
  const before = dtab('/svc=>/srv;/svc/users=>/a;/x=>/y;/svc/users=>/b;/z=>/w')
  const after = setDentry(before, readDentry('/svc/users=>/c'))
  t.is(showDtab(after), '/svc=>/srv;/svc/users=>/a;/x=>/y;/svc/users=>/c;/z=>/w')
  t.is(showDtab(before), '/svc=>/srv;/svc/users=>/a;/x=>/y;/svc/users=>/b;/z=>/w', 'not mutated')
})

test('set appends when no dentry has exactly that prefix (a longer or shorter one does not count)', (t) => {
  const before = dtab('/svc=>/srv;/svc/users/v1=>/a')
  t.is(
    showDtab(setDentry(before, readDentry('/svc/users=>/c'))),
    '/svc=>/srv;/svc/users/v1=>/a;/svc/users=>/c',
  )
  t.is(showDtab(setDentry([], readDentry('/a=>/b'))), '/a=>/b')
})

test('prefixes are compared in canonical form (wildcards, escapes)', (t) => {
  const before = dtab('/svc/*/x=>/a;/\\x61b=>/c')
  t.is(showDtab(setDentry(before, readDentry('/svc/*/x => /z'))), '/svc/*/x=>/z;/ab=>/c')
  t.is(showDtab(setDentry(before, readDentry('/ab=>/d'))), '/svc/*/x=>/a;/ab=>/d')
})

test('rm-entry removes every dentry with the prefix, and only those', (t) => {
  const before = dtab('/svc/users=>/a;/svc=>/srv;/svc/users=>/b;/svc/users/v1=>/c')
  const after = removePrefix(before, readPrefix('/svc/users'))
  t.is(after === undefined ? 'none' : showDtab(after), '/svc=>/srv;/svc/users/v1=>/c')
  t.is(before.length, 4, 'not mutated')
})

test('rm-entry of a prefix that is not there is undefined (not found), even if a longer one is', (t) => {
  t.is(removePrefix(dtab('/svc/users/v1=>/c'), readPrefix('/svc/users')), undefined)
  t.is(removePrefix([], readPrefix('/a')), undefined)
})
