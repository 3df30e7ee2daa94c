import test from 'ava'
import { firstValue } from './headers.js'

const head = (
  rawHeaders: string[] | undefined,
  headers: Record<string, string | string[]> = {},
) => ({
  method: 'GET',
  url: '/',
  httpVersion: '1.1',
  headers,
  rawHeaders,
})

test('with raw headers, a lookup is case-insensitive and gives the first value', (t) => {
  const h = head(['X-Name', 'first', 'Host', 'web', 'x-name', 'second'])
  t.is(firstValue(h, 'x-name'), 'first')
  t.is(firstValue(h, 'host'), 'web')
  t.is(firstValue(h, 'absent'), undefined)
  t.is(firstValue(h, 'x-nam'), undefined, 'a prefix of a name is not the name')
})

test('without raw headers, the header object is used; a list gives its first item', (t) => {
  t.is(firstValue(head(undefined, { host: 'web' }), 'host'), 'web')
  t.is(firstValue(head(undefined, { 'x-a': ['1', '2'] }), 'x-a'), '1')
})
