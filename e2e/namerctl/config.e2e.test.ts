/**
 * Where namerctl finds namerd (--base-url > NAMERCTL_BASE_URL > --config FILE > .namerctl.* in
 * the working directory or a parent) against a real namerd on the io.l5d.file store, and the
 * base URL errors (exit 2).
 */
import test from 'ava'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../testing/free-port.js'
import {
  failsWith,
  inputFile,
  namerctl,
  show,
  type Run,
  type RunOptions,
} from '../../testing/namerctl/harness.js'
import { Cleanups, cleanupsOf, startFileNamerd } from '../../testing/namerctl/setup.js'
import { fakeNamerd } from '../../testing/namerctl/servers.js'

const cleanups = new Cleanups()
let good: string
let dead: string
test.before(async () => {
  good = (await startFileNamerd(cleanups)).namerd.api
  dead = `http://127.0.0.1:${await freePort()}`
})
test.after.always(() => cleanups.run())

/** `namerctl dtab list` with these flags and options: 0 if it reached namerd, 3 if not. */
function list(flags: string[], opts: RunOptions = {}): Promise<Run> {
  return namerctl(['dtab', 'list', ...flags], opts)
}

/** A directory tree for the test: `files` maps relative paths to contents. */
function tree(t: import('ava').ExecutionContext, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'namerctl-e2e-tree-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'a/b/c'), { recursive: true })
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text)
  return root
}

function expect(t: import('ava').ExecutionContext, r: Run, reached: boolean, what: string): void {
  t.is(r.status, reached ? 0 : 3, `${what}: ${show(r)}`)
}

test('--base-url beats NAMERCTL_BASE_URL, which beats the config file', async (t) => {
  const root = tree(t, { '.namerctl.yaml': `base-url: ${dead}\n` })
  expect(t, await list(['--base-url', good], { env: { NAMERCTL_BASE_URL: dead } }), true, 'flag')
  expect(t, await list(['--base-url', dead], { env: { NAMERCTL_BASE_URL: good } }), false, 'flag')
  expect(t, await list([], { env: { NAMERCTL_BASE_URL: good }, cwd: root }), true, 'env > file')
  expect(t, await list([], { cwd: root }), false, 'the file')
  const conf = inputFile(t, 'c.yaml', `base-url: ${dead}\n`)
  expect(t, await list(['--config', conf], { env: { NAMERCTL_BASE_URL: good } }), true, 'env')
})

test('--config FILE (YAML or JSON) is used instead of the search', async (t) => {
  const root = tree(t, { '.namerctl.yaml': `base-url: ${dead}\n` })
  const yaml = inputFile(t, 'c.yaml', `base-url: ${good}\n`)
  const jsonFile = inputFile(t, 'c.json', JSON.stringify({ 'base-url': good }))
  expect(t, await list(['--config', yaml], { cwd: root }), true, 'yaml')
  expect(t, await list(['--config', jsonFile], { cwd: root }), true, 'json')
  const missing = join(root, 'nope.yaml')
  const r = await list(['--config', missing])
  failsWith(t, r, 2, /nope\.yaml/)
})

test('.namerctl.yaml, .yml or .json is found in the working directory or a parent', async (t) => {
  for (const [name, text] of [
    ['.namerctl.yaml', `base-url: ${good}\n`],
    ['.namerctl.yml', `base-url: "${good}"\n`],
    ['.namerctl.json', JSON.stringify({ 'base-url': good })],
  ] as const) {
    const root = tree(t, { [name]: text })
    expect(t, await list([], { cwd: root }), true, `${name} here`)
    expect(t, await list([], { cwd: join(root, 'a/b/c') }), true, `${name} three levels up`)
  }
  const near = tree(t, { '.namerctl.yaml': `base-url: ${dead}\n`, 'a/.namerctl.json': '{}' })
  writeFileSync(join(near, 'a/.namerctl.json'), JSON.stringify({ 'base-url': good }))
  expect(t, await list([], { cwd: join(near, 'a/b') }), true, 'the nearest file wins')
  const far = tree(t, { '.namerctl.yaml': `base-url: ${good}\n` })
  writeFileSync(join(far, 'a/.namerctl.json'), JSON.stringify({ 'base-url': dead }))
  expect(t, await list([], { cwd: join(far, 'a/b') }), false, 'the nearest file wins')
})

test('a config file with an unknown key is exit 2, naming the file and the key', async (t) => {
  const root = tree(t, { '.namerctl.yaml': `base-url: ${good}\nbase_url: x\n` })
  const r = await list([], { cwd: root })
  failsWith(t, r, 2, /\.namerctl\.yaml.*base_url|base_url.*\.namerctl\.yaml/)
  const conf = inputFile(t, 'c.json', JSON.stringify({ 'base-url': good, timeout: 1 }))
  failsWith(t, await list(['--config', conf]), 2, /c\.json.*timeout|timeout.*c\.json/)
  const broken = tree(t, { '.namerctl.json': '{"base-url": ' })
  failsWith(t, await list([], { cwd: join(broken, 'a') }), 2, /\.namerctl\.json/)
})

test('an invalid base URL is exit 2 from the flag, the environment or a config file', async (t) => {
  for (const bad of ['ftp://127.0.0.1:1', 'localhost:4180', 'http://', 'not a url'])
    failsWith(t, await list(['--base-url', bad]), 2, `invalid base URL: ${bad}`)
  for (const bad of ['ftp://127.0.0.1:1', 'http://']) {
    const env = await list([], { env: { NAMERCTL_BASE_URL: bad } })
    failsWith(t, env, 2, `invalid base URL: ${bad}`)
  }
  const root = tree(t, { '.namerctl.yaml': 'base-url: ftp://x\n' })
  failsWith(t, await list([], { cwd: root }), 2, /invalid base URL: ftp:\/\/x/)
})

test('a path in the base URL is kept: requests go to <base>/api/1/...', async (t) => {
  const fake = await fakeNamerd(cleanupsOf(t), () => ({
    status: 200,
    body: '["x"]\n',
    headers: { 'content-type': 'application/json' },
  }))
  for (const base of [`${fake.base}/namerd`, `${fake.base}/namerd/`]) {
    const r = await list(['--base-url', base])
    t.is(r.status, 0, show(r))
    t.is(r.stdout, 'x\n')
  }
  t.deepEqual(
    fake.log.map((e) => e.request),
    ['GET /namerd/api/1/dtabs', 'GET /namerd/api/1/dtabs'],
  )
})
