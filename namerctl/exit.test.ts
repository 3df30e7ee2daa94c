import test from 'ava'
import { CommanderError } from 'commander'
import { statusError, type Reply } from './client.js'
import { CliConfigError, InputError, NamerdError, ResolveError, UsageError } from './errors.js'
import { EXIT_STATUSES, exitStatusOf } from './exit.js'
import { helpEpilogue } from './help.js'

const reply = (status: number, statusText: string, body = ''): Reply => ({
  status,
  statusText,
  headers: {},
  body,
})

test('exit statuses of docs/namerctl.md, by error', (t) => {
  t.is(exitStatusOf(new InputError('bad file')), 1)
  t.is(exitStatusOf(new ResolveError('loop')), 1)
  t.is(exitStatusOf(new Error('a bug')), 1)
  t.is(exitStatusOf(new UsageError('extra argument')), 2)
  t.is(exitStatusOf(new CliConfigError('invalid base URL: x')), 2)
  t.is(exitStatusOf(new CommanderError(1, 'commander.unknownCommand', 'unknown')), 2)
  t.is(exitStatusOf(new CommanderError(0, 'commander.helpDisplayed', '(help)')), 0)
  t.is(exitStatusOf(new NamerdError('ERR_NAMERD_UNREACHABLE', 'refused')), 3)
})

test("namerd statuses map to docs/namerctl.md's exit statuses", (t) => {
  const cases: [number, string, number][] = [
    [400, 'Bad Request', 5],
    [404, 'Not Found', 4],
    [409, 'Conflict', 6],
    [412, 'Precondition Failed', 7],
    [503, 'Service Unavailable', 8],
    [500, 'Internal Server Error', 9],
    [502, 'Bad Gateway', 9],
    [401, 'Unauthorized', 10],
    [403, 'Forbidden', 10],
    [301, 'Moved Permanently', 9],
  ]
  for (const [status, text, exit] of cases)
    t.is(exitStatusOf(statusError(reply(status, text))), exit, `${status}`)
})

test("400 prints namerd's message; other statuses `unexpected response: <status> <text>`", (t) => {
  t.is(statusError(reply(400, 'Bad Request', 'Invalid path: x\n')).message, 'Invalid path: x')
  t.is(statusError(reply(502, 'Bad Gateway')).message, 'unexpected response: 502 Bad Gateway')
  t.is(
    statusError(reply(502, 'Bad Gateway', 'Max recursion level\n')).message,
    'unexpected response: 502 Bad Gateway: Max recursion level',
  )
  t.is(
    statusError(reply(404, 'Not Found'), { 404: 'dtab x not found' }).message,
    'dtab x not found',
  )
  t.false(statusError(reply(400, 'Bad Request', 'line 1\nline 2\n')).message.includes('\n'))
})

test('the help lists every status, once, in order', (t) => {
  t.deepEqual(
    EXIT_STATUSES.map((s) => s.status),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 130],
  )
  const help = helpEpilogue()
  const section = help.slice(help.indexOf('Exit statuses:\n')).split('\n\n')[0] ?? ''
  const lines = section.split('\n').slice(1)
  t.deepEqual(
    lines.map((l) => Number(/^\s+(\d+)\s/.exec(l)?.[1])),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 130],
  )
})

test('no error code gives two exit statuses', (t) => {
  const codes = EXIT_STATUSES.flatMap((s) => s.codes)
  t.is(new Set(codes).size, codes.length)
})
