import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfigText } from '../lib/config/file.js'
import { repoPath } from '../testing/paths.js'
import { parseNamerdConfig } from './config.js'

const dir = repoPath('examples/namerd')
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))

test('there is an example for the file store, etcd and ZooKeeper', (t) => {
  t.deepEqual(files.slice().sort(), ['etcd.yaml', 'file.yaml', 'zk.yaml'])
})

for (const file of files) {
  test(`examples/namerd/${file} parses, with the store its name says`, (t) => {
    const config = parseNamerdConfig(loadConfigText(readFileSync(join(dir, file), 'utf8'), file))
    const expected = {
      'file.yaml': 'io.l5d.file',
      'etcd.yaml': 'io.l5d.etcd',
      'zk.yaml': 'io.l5d.zk',
    }
    t.is(config.storage.kind, expected[file as keyof typeof expected])
    t.is(config.interfaces[0]?.port, 4180)
    t.is(config.admin.port, 9991)
    t.deepEqual(config.warnings, [])
  })
}
