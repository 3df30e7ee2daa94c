import test from 'ava'
import { readDtabJson } from './dtab-json.js'
import { dtabToJson, showDtab } from './dtab.js'
import { readDtab } from './parse.js'

test('reads namerd JSON dentries and round-trips with dtabToJson', (t) => {
  const dtab = readDtab('/svc=>/#/io.l5d.fs;/svc/*/x=>1*/a&2*/b|~')
  const back = readDtabJson(JSON.stringify(dtabToJson(dtab)))
  t.is(showDtab(back), showDtab(dtab))
  t.deepEqual(readDtabJson('[]'), [])
})

test('errors name the entry and field', (t) => {
  const cases: [string, RegExp][] = [
    ['{', /^dtab: not JSON/],
    ['{"prefix":"/a"}', /^dtab: expected a JSON list/],
    ['[null]', /^dtab\[0\]: expected an object/],
    ['[{"prefix":"/a","dst":"/b"},{"prefix":"/a","dst":3}]', /^dtab\[1\]\.dst: expected a string/],
    ['[{"prefix":"/a","dst":"/b","x":1}]', /^dtab\[0\]: unknown key\(s\): x/],
    ['[{"prefix":"a","dst":"/b"}]', /^dtab\[0\]\.prefix: .*expected/],
    ['[{"prefix":"/a","dst":"/b &"}]', /^dtab\[0\]\.dst: .*expected/],
  ]
  for (const [input, message] of cases) {
    const e = t.throws(() => readDtabJson(input), { message }, input)
    t.is((e as { code?: string }).code, 'ERR_DTAB_JSON')
  }
})
