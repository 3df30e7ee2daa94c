import test from 'ava'
import { showDtab, showPathTree, showPrefix } from '../dtabs/index.js'
import { looksLikeJson, parseDstArg, parseDtabInput, parsePrefixArg } from './dtab-input.js'

test('JSON is detected by the first non-whitespace character, { or [', (t) => {
  t.true(looksLikeJson('{"dtab":[]}'))
  t.true(looksLikeJson(' \n\t[]'))
  t.false(looksLikeJson('/a=>/b'))
  t.false(looksLikeJson('# {"not": "json"}\n/a=>/b'))
  t.false(looksLikeJson(''))
})

test('get --json output is accepted, with its version', (t) => {
  const input = parseDtabInput(
    '{"version":"AAAAAAAAAAE=","dtab":[{"prefix":"/a","dst":"/b"},{"prefix":"/c/*","dst":"1*/d & 2*/e"}]}',
    'f.json',
  )
  t.is(input.version, 'AAAAAAAAAAE=')
  t.is(showDtab(input.dtab), '/a=>/b;/c/*=>/d & 2.00*/e')
})

test('an empty or absent version is no version; a bare list is accepted', (t) => {
  t.is(parseDtabInput('{"version":"","dtab":[]}', 'f').version, undefined)
  t.is(parseDtabInput('{"dtab":[]}', 'f').version, undefined)
  const bare = parseDtabInput('[{"prefix":"/a","dst":"/b"}]', 'f')
  t.is(bare.version, undefined)
  t.is(showDtab(bare.dtab), '/a=>/b')
})

test("dtab text (including get's pretty output with its # version comment) is parsed as text", (t) => {
  const input = parseDtabInput(
    '# version AAAAAAAAAAE=\n/srv  => /#/io.l5d.fs ;\n/svc => /srv ;\n',
    'f',
  )
  t.is(input.version, undefined)
  t.is(showDtab(input.dtab), '/srv=>/#/io.l5d.fs;/svc=>/srv')
})

test('bad input is an ERR_INPUT error naming the source and the place', (t) => {
  const cases: [string, RegExp][] = [
    ['{"dtab":', /^f: not JSON/],
    ['{"dtab":[],"extra":1}', /^f: unknown key\(s\) extra/],
    ['{"version":3,"dtab":[]}', /^f: version: expected a string/],
    ['{"version":"v"}', /^f: dtab: expected a list/],
    ['[{"prefix":"/a","dst":"/b"},{"prefix":"/a","dst":"/b &"}]', /^f: dtab\[1\]\.dst: /],
    ['/a => /b;\n/c = > /d', /^f:2:5: invalid dtab: /],
  ]
  for (const [text, message] of cases) {
    const e = t.throws(() => parseDtabInput(text, 'f'), { message }, text)
    t.is((e as { code?: string }).code, 'ERR_INPUT')
  }
})

test('PREFIX and DST arguments: canonical values, or errors with a caret under the character', (t) => {
  t.is(showPrefix(parsePrefixArg(' /svc/*/users ')), '/svc/*/users')
  t.is(
    showPathTree(parseDstArg('90 * /srv/users-v1 & 10 * /srv/users-v2')),
    '90.00*/srv/users-v1 & 10.00*/srv/users-v2',
  )
  const e = t.throws(() => parseDstArg('/a | | /b'))
  t.is((e as { code?: string }).code, 'ERR_INPUT')
  const lines = e?.message.split('\n') ?? []
  t.regex(lines[0] ?? '', /^invalid destination: /)
  t.is(lines[1], '  /a | | /b')
  t.is(lines[2], '  ' + ' '.repeat(5) + '^')
  t.throws(() => parsePrefixArg('svc'), { message: /^invalid prefix: / })
})
