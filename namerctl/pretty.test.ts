import test from 'ava'
import { oneLineDtab, prettyDtab, versionedJson } from './pretty.js'

// docs/namerctl.md, `get` (linkerd namerctl's `dtab get`): `# version <v>`, then per dentry
// `${prefix}  ${'=>'.padStart(max - prefix.length + 2)} ${dst} ;`, max = longest prefix.
const doc = {
  version: 'AAAAAAAAAAE=',
  dtab: [
    { prefix: '/srv', dst: '/#/io.l5d.fs' },
    { prefix: '/svc/users', dst: '99.00*/srv/users-v1 & /srv/users-v2' },
    { prefix: '/svc', dst: '/srv' },
  ],
}

test('pretty: version line, then arrows right-aligned two columns after the longest prefix', (t) => {
  // longest prefix is /svc/users (10): its arrow follows two spaces; /srv and /svc (4) get
  // 6 more spaces before the arrow (10 - 4 + 2 = 8 columns for "=>", right-aligned).
  t.is(
    prettyDtab(doc),
    '# version AAAAAAAAAAE=\n' +
      '/srv' +
      ' '.repeat(8) +
      '=> /#/io.l5d.fs ;\n' +
      '/svc/users' +
      ' '.repeat(2) +
      '=> 99.00*/srv/users-v1 & /srv/users-v2 ;\n' +
      '/svc' +
      ' '.repeat(8) +
      '=> /srv ;\n',
  )
})

test('pretty: every arrow is in the same column, whatever the prefix lengths', (t) => {
  const prefixes = ['/a', '/bb/cc/dd/ee', '/x/*', '/', '/svc/users/v1']
  const text = prettyDtab({ version: 'v', dtab: prefixes.map((prefix) => ({ prefix, dst: '/d' })) })
  const lines = text.trimEnd().split('\n').slice(1)
  const longest = Math.max(...prefixes.map((p) => p.length))
  for (const [i, line] of lines.entries()) {
    t.is(line.indexOf('=>'), longest + 2, line)
    t.true(line.startsWith(`${prefixes[i]} `), line)
    t.true(line.endsWith(' /d ;'), line)
  }
})

test('pretty: an empty dtab is only the version line', (t) => {
  t.is(prettyDtab({ version: '7', dtab: [] }), '# version 7\n')
})

test('--pretty=false: p=>d; for each dentry, on one line', (t) => {
  t.is(
    oneLineDtab(doc.dtab),
    '/srv=>/#/io.l5d.fs;/svc/users=>99.00*/srv/users-v1 & /srv/users-v2;/svc=>/srv;\n',
  )
})

test('--json: {"version","dtab"} in that key order, one line', (t) => {
  const text = versionedJson(doc)
  t.true(text.endsWith('\n'))
  t.is(text.split('\n').length, 2)
  t.deepEqual(JSON.parse(text), doc)
  t.deepEqual(Object.keys(JSON.parse(text) as object), ['version', 'dtab'])
})
