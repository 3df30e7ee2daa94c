import test, { type ExecutionContext } from 'ava'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiUrl } from '../lib/namerd-client/index.js'
import {
  DEFAULT_BASE_URL,
  findConfigFile,
  parseBaseUrl,
  readConfigFile,
  resolveBaseUrl,
} from './config.js'

/** A temp directory tree `root/a/b`, removed after the test. */
function tree(t: ExecutionContext): { root: string; a: string; b: string } {
  const root = mkdtempSync(join(tmpdir(), 'namerctl-config-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const a = join(root, 'a')
  const b = join(a, 'b')
  mkdirSync(b, { recursive: true })
  return { root, a, b }
}

test('the flag wins over the env var, which wins over the config file, then the default', (t) => {
  const { a, b } = tree(t)
  writeFileSync(join(a, '.namerctl.yaml'), 'base-url: http://from-file:1\n')
  const flag = 'http://from-flag:2'
  const env = 'http://from-env:3'
  t.is(resolveBaseUrl({ flag, env, cwd: b }), flag)
  t.is(resolveBaseUrl({ env, cwd: b }), env)
  t.is(resolveBaseUrl({ env: '', cwd: b }), 'http://from-file:1', 'an empty env var is unset')
  t.is(resolveBaseUrl({ cwd: b }), 'http://from-file:1')
  t.is(DEFAULT_BASE_URL, 'http://127.0.0.1:4180')
})

test("without flag, env or file: namerd's default address", (t) => {
  const { b } = tree(t)
  // No .namerctl.* between b and / is assumed for the temp dir's parents.
  t.is(findConfigFile(b), undefined)
  t.is(resolveBaseUrl({ cwd: b }), 'http://127.0.0.1:4180')
})

test('the nearest directory wins; within one, .yaml then .yml then .json', (t) => {
  const { root, a, b } = tree(t)
  writeFileSync(join(root, '.namerctl.yaml'), 'base-url: http://root:1\n')
  t.is(findConfigFile(b), join(root, '.namerctl.yaml'))
  writeFileSync(join(a, '.namerctl.json'), '{"base-url": "http://a-json:1"}')
  t.is(findConfigFile(b), join(a, '.namerctl.json'))
  writeFileSync(join(a, '.namerctl.yml'), 'base-url: http://a-yml:1\n')
  t.is(findConfigFile(b), join(a, '.namerctl.yml'))
  writeFileSync(join(a, '.namerctl.yaml'), 'base-url: http://a-yaml:1\n')
  t.is(resolveBaseUrl({ cwd: b }), 'http://a-yaml:1')
})

test('--config names the file: no search; an unreadable one is an error (exit 2)', (t) => {
  const { root, b } = tree(t)
  writeFileSync(join(b, '.namerctl.yaml'), 'base-url: http://near:1\n')
  writeFileSync(join(root, 'other.json'), '{"base-url": "http://other:1"}')
  t.is(resolveBaseUrl({ configFile: join(root, 'other.json'), cwd: b }), 'http://other:1')
  const e = t.throws(() => resolveBaseUrl({ configFile: join(root, 'missing.yaml'), cwd: b }))
  t.is((e as { code?: string }).code, 'ERR_NAMERCTL_CONFIG')
  t.regex(e?.message ?? '', /cannot read config file .*missing\.yaml/)
})

test('a config file with an unknown key, a wrong type or bad syntax is an error naming the file', (t) => {
  const { root } = tree(t)
  const cases: [string, string, RegExp][] = [
    [
      '.namerctl.yaml',
      'base-url: http://x:1\nbaseurl: y\n',
      /\.namerctl\.yaml: unknown key "baseurl"/,
    ],
    ['.namerctl.yml', 'base-url: 4180\n', /\.namerctl\.yml: base-url: expected a string/],
    ['.namerctl.json', '{"base-url": ', /\.namerctl\.json: not valid JSON/],
    ['bad.yaml', 'base-url: [\n', /bad\.yaml: not valid YAML/],
    ['list.yaml', '- a\n', /list\.yaml: expected a mapping/],
  ]
  for (const [name, text, message] of cases) {
    writeFileSync(join(root, name), text)
    const e = t.throws(() => readConfigFile(join(root, name)), { message }, name)
    t.is((e as { code?: string }).code, 'ERR_NAMERCTL_CONFIG')
  }
  writeFileSync(join(root, 'empty.yaml'), '')
  t.is(readConfigFile(join(root, 'empty.yaml')), undefined, 'an empty file sets nothing')
})

test('a config file is not read when the flag or env var decides', (t) => {
  const { b } = tree(t)
  writeFileSync(join(b, '.namerctl.yaml'), 'nonsense: 1\n')
  t.is(resolveBaseUrl({ flag: 'http://flag:1', cwd: b }), 'http://flag:1')
  t.is(resolveBaseUrl({ env: 'http://env:1', cwd: b }), 'http://env:1')
  t.throws(() => resolveBaseUrl({ cwd: b }), { message: /unknown key "nonsense"/ })
})

test('base URLs must be http(s) with a host; the path is kept, trailing slashes dropped', (t) => {
  t.is(parseBaseUrl('http://namerd:4180'), 'http://namerd:4180')
  t.is(parseBaseUrl('https://namerd.example.com/prefix/'), 'https://namerd.example.com/prefix')
  for (const bad of [
    'namerd:4180',
    'ftp://namerd',
    'http://',
    '/just/a/path',
    'http://h/?q=1',
    'http://u:p@h/',
  ]) {
    const e = t.throws(() => parseBaseUrl(bad), { message: /^invalid base URL: / }, bad)
    t.is((e as { code?: string }).code, 'ERR_NAMERCTL_CONFIG')
  }
  t.throws(() => parseBaseUrl(''), { message: 'empty base URL' })
})

test('requests go to <base>/api/1/… with one slash between, whatever the base URL ends with', (t) => {
  t.is(apiUrl(parseBaseUrl('http://h:1/ns//'), 'dtabs'), 'http://h:1/ns/api/1/dtabs')
})
