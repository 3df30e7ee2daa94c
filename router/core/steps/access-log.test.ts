import test from 'ava'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AccessLog, AccessLogError, accessLogTime } from './access-log.js'

test('access log time is dd/MM/yyyy:HH:mm:ss in UTC', (t) => {
  t.is(accessLogTime(new Date(Date.UTC(2026, 0, 5, 3, 4, 9))), '05/01/2026:03:04:09 +0000')
  t.is(accessLogTime(new Date(Date.UTC(2026, 10, 24, 23, 59, 59))), '24/11/2026:23:59:59 +0000')
})

test('an access log that cannot be opened is an error naming the file, at once', (t) => {
  const file = join(tmpdir(), `no-such-dir-${process.pid}`, 'access.log')
  const e = t.throws(() => new AccessLog(file), { instanceOf: AccessLogError })
  t.is(e?.code, 'ERR_ACCESS_LOG')
  t.true(e?.message.startsWith(`httpAccessLog: cannot open ${file}: ENOENT`), e?.message)
})

test('a line per call, appended', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'access-log-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'access.log')
  writeFileSync(file, 'before\n')
  const log = new AccessLog(file)
  log.write('one\n')
  log.write('two\n')
  await log.close()
  t.is(readFileSync(file, 'utf8'), 'before\none\ntwo\n')
})

test('a write that fails later is said once; later lines are dropped and close still resolves', async (t) => {
  const warnings: string[] = []
  // /dev/full opens, and every write to it fails with ENOSPC (a full disk).
  const log = new AccessLog('/dev/full', (message) => warnings.push(message))
  log.write('one\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  log.write('two\n')
  log.write('three\n')
  await log.close()
  t.deepEqual(warnings, [
    'httpAccessLog: cannot write /dev/full: ENOSPC: no space left on device, write; access log lines dropped',
  ])
})
