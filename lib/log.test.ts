import test from 'ava'
import { createLog, nullLog } from './log.js'

function capture(options: Parameters<typeof createLog>[0] = {}) {
  const lines: Record<string, unknown>[] = []
  const log = createLog({
    ...options,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as never) },
  })
  return { log, lines }
}

test('one JSON object per line: level label, ISO time, pid, name, msg, fields', (t) => {
  const { log, lines } = capture({ name: 'router', level: 'info' })
  log.info('listening', { port: 4140 })
  t.is(lines.length, 1)
  t.like(lines[0], {
    level: 'info',
    pid: process.pid,
    name: 'router',
    msg: 'listening',
    port: 4140,
  })
  t.regex(String(lines[0]?.['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
})

test('the level filters; debug shows only at debug', (t) => {
  const { log, lines } = capture({ level: 'warn' })
  log.debug('d')
  log.info('i')
  log.warn('w')
  log.error('e', { err: new Error('boom') })
  t.deepEqual(
    lines.map((l) => l['msg']),
    ['w', 'e'],
  )
  t.like(lines[1]?.['err'], { type: 'Error', message: 'boom' })
  t.regex(String((lines[1]?.['err'] as { stack?: string }).stack), /boom/)
  const debug = capture({ level: 'debug' })
  debug.log.debug('d')
  t.is(debug.lines.length, 1)
})

test('LOG_LEVEL sets the default level; an unknown one falls back to info with a warning', (t) => {
  const saved = process.env['LOG_LEVEL']
  t.teardown(() => {
    if (saved === undefined) delete process.env['LOG_LEVEL']
    else process.env['LOG_LEVEL'] = saved
  })
  process.env['LOG_LEVEL'] = 'error'
  const strict = capture()
  strict.log.warn('hidden')
  t.is(strict.lines.length, 0)
  process.env['LOG_LEVEL'] = 'loud'
  const fallback = capture()
  fallback.log.info('shown')
  t.deepEqual(
    fallback.lines.map((l) => [l['level'], l['msg']]),
    [
      ['warn', 'LOG_LEVEL "loud" is not a level; using info'],
      ['info', 'shown'],
    ],
  )
})

test('secrets are redacted if a caller slips them in', (t) => {
  const { log, lines } = capture()
  log.info('oops', {
    authorization: 'Bearer x',
    headers: { cookie: 'a=b', 'set-cookie': 'c=d', host: 'h' },
    req: { headers: { 'proxy-authorization': 'p' } },
  })
  t.like(lines[0], {
    authorization: '[redacted]',
    headers: { cookie: '[redacted]', 'set-cookie': '[redacted]', host: 'h' },
    req: { headers: { 'proxy-authorization': '[redacted]' } },
  })
})

test('silent and nullLog write nothing', (t) => {
  const { log, lines } = capture({ silent: true })
  log.error('nothing')
  t.is(lines.length, 0)
  t.notThrows(() => nullLog.error('nothing', { a: 1 }))
})
