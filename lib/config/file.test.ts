import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { loadConfigText, readConfigFile } from './file.js'

test('YAML and JSON give the same value', (t) => {
  const yaml =
    'routers:\n- protocol: http\n  dtab: |\n    /svc => /#/io.l5d.fs;\n  servers:\n  - port: 4140\n'
  const json =
    '{"routers": [{"protocol": "http", "dtab": "/svc => /#/io.l5d.fs;\\n", "servers": [{"port": 4140}]}]}'
  const expected = {
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs;\n', servers: [{ port: 4140 }] }],
  }
  t.deepEqual(loadConfigText(yaml, 'a.yaml'), expected)
  t.deepEqual(loadConfigText(json, 'a.json'), expected)
})

test('YAML 1.2 scalars; merge keys; an empty document is null', (t) => {
  t.deepEqual(loadConfigText('a: yes\nb: 0x10\nc: ~\nd: 1.0\n', 'x'), {
    a: 'yes',
    b: 16,
    c: null,
    d: 1,
  })
  t.deepEqual(loadConfigText('s: &s {ip: 0.0.0.0, port: 1}\nt:\n  <<: *s\n  port: 2\n', 'x'), {
    s: { ip: '0.0.0.0', port: 1 },
    t: { ip: '0.0.0.0', port: 2 },
  })
  t.is(loadConfigText('', 'x'), null)
  t.is(loadConfigText('# only a comment\n', 'x'), null)
})

const bad: [text: string, message: string][] = [
  ['a: 1\na: 2\n', 'router.yaml:2:1: YAML syntax error: Map keys must be unique'],
  [
    'routers:\n  - protocol: http\n   x: 1\n',
    'router.yaml:3:1: YAML syntax error: Sequence item without - indicator',
  ],
  [
    'a: [1,\n',
    'router.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  ['{"a": 1', 'router.yaml:1:8: YAML syntax error: Flow map must end with a }'],
  [
    'a: 1\n---\nb: 2\n',
    'router.yaml:2:1: YAML syntax error: more than one YAML document (one config per file)',
  ],
  [
    'a: *x\n',
    'router.yaml: YAML error: Unresolved alias (the anchor must be set before the alias): x',
  ],
  ['a: &x [*x]\n', 'router.yaml: YAML error: an alias refers to a value that contains it'],
]

for (const [text, message] of bad) {
  test(`bad YAML: ${JSON.stringify(text)}`, (t) => {
    t.throws(() => loadConfigText(text, 'router.yaml'), { message, code: 'ERR_CONFIG' })
  })
}

test('readConfigFile reads a file, or stdin for "-"', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'load-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'router.yaml')
  writeFileSync(file, 'routers: []\n')
  t.deepEqual(await readConfigFile(file), { routers: [] })
  t.deepEqual(await readConfigFile('-', Readable.from([Buffer.from('a: '), Buffer.from('1')])), {
    a: 1,
  })
  await t.throwsAsync(readConfigFile('-', Readable.from(['a: [\n'])), {
    message:
      '<stdin>:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  })
  writeFileSync(file, 'a:\n\tb: 1\n')
  await t.throwsAsync(readConfigFile(file), { message: /^.*router\.yaml:2:1: YAML syntax error: / })
  const missing = join(dir, 'missing.yaml')
  await t.throwsAsync(readConfigFile(missing), {
    code: 'ERR_CONFIG',
    message: `${missing}: cannot read the config file: ENOENT: no such file or directory, open '${missing}'`,
  })
})
