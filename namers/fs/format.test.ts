/**
 * The io.l5d.fs file format, as tables. Expected values follow the rules in fs-format.ts
 * (linkerd `WatchingNamer.txtToAddr`), worked out by hand.
 */
import test from 'ava'
import type { Addr, Address } from '../../dtabs/name.js'
import { WEIGHT_KEY, parseAddrFile } from './format.js'

const ep = (host: string, port: number, weight?: number): Address =>
  weight === undefined ? { host, port } : { host, port, meta: { [WEIGHT_KEY]: weight } }
const bound = (...addrs: Address[]): Addr => ({ type: 'bound', addrs })
const malformed = (line: string): Addr => ({ type: 'failed', cause: `malformed address: ${line}` })

test('the weight key is Finagle WeightedAddress.weightKey', (t) => {
  t.is(WEIGHT_KEY, 'endpoint_addr_weight')
})

const good: [string, string, Addr][] = [
  ['empty file', '', bound()],
  ['blank lines only', '\n\n   \n\t\n', bound()],
  ['comment only', '# no endpoints yet\n', bound()],
  ['linkerd example file', '127.1 8888\n', bound(ep('127.0.0.1', 8888))],
  ['IPv4 shorthand: two parts', '10.1 80', bound(ep('10.0.0.1', 80))],
  ['IPv4 shorthand: three parts', '10.1.2 80', bound(ep('10.1.0.2', 80))],
  ['IPv4 as one number', '2130706433 80', bound(ep('127.0.0.1', 80))],
  ['IPv4 parts are decimal', '010.001.0.1 80', bound(ep('10.1.0.1', 80))],
  ['IPv6 written canonically', '0:0:0:0:0:0:0:1 80', bound(ep('::1', 80))],
  ['IPv6 in brackets, upper-case', '[FE80::A%eth0] 80', bound(ep('fe80::a%eth0', 80))],
  ['IPv4-mapped IPv6 is IPv4', '::ffff:127.0.0.1 80', bound(ep('127.0.0.1', 80))],
  [
    'not a literal: kept as a name',
    '256.1 80\n0x7f.1 81',
    bound(ep('256.1', 80), ep('0x7f.1', 81)),
  ],
  ['spellings of one address listed once', '127.1 80\n127.0.0.1 80', bound(ep('127.0.0.1', 80))],
  ['no final newline', '127.0.0.1 9991', bound(ep('127.0.0.1', 9991))],
  ['host name kept as written', 'Web-1.Example.com 80', bound(ep('Web-1.Example.com', 80))],
  ['IPv6 literal', '::1 80\nfe80::1%eth0 81', bound(ep('::1', 80), ep('fe80::1%eth0', 81))],
  ['tabs, runs of spaces, CRLF', '  10.0.0.1 \t 9000  \r\n', bound(ep('10.0.0.1', 9000))],
  ['trailing comment', '10.0.0.1 80 # primary', bound(ep('10.0.0.1', 80))],
  ['comment touching the port', '10.0.0.1 80#x y z', bound(ep('10.0.0.1', 80))],
  ['commented-out line', '# 10.0.0.9 99\n10.0.0.1 80', bound(ep('10.0.0.1', 80))],
  ['lowest and highest port', 'a 1\nb 65535', bound(ep('a', 1), ep('b', 65535))],
  ['leading zeros and plus sign', 'a 0080\nb +81', bound(ep('a', 80), ep('b', 81))],
  ['weight', '127.0.0.1 8081 * 0.23', bound(ep('127.0.0.1', 8081, 0.23))],
  ['integer weight', 'a 80 * 2', bound(ep('a', 80, 2))],
  ['weight with exponent', 'a 80 * 1e-1', bound(ep('a', 80, 0.1))],
  ['weight without integer part', 'a 80 * .5', bound(ep('a', 80, 0.5))],
  ['zero weight', 'a 80 * 0', bound(ep('a', 80, 0))],
  ['negative zero weight is zero', 'a 80 * -0', bound(ep('a', 80, 0))],
  [
    'mixed weighted and plain lines',
    '127.0.0.1 8080\n127.0.0.1 8081 * 0.23\n',
    bound(ep('127.0.0.1', 8080), ep('127.0.0.1', 8081, 0.23)),
  ],
  ['duplicate line listed once', 'a 80\nb 81\na 80', bound(ep('a', 80), ep('b', 81))],
  ['same endpoint, other weight', 'a 80\na 80 * 1', bound(ep('a', 80), ep('a', 80, 1))],
]

for (const [name, text, expected] of good) {
  test(`good: ${name}`, (t) => {
    t.deepEqual(parseAddrFile(text), expected)
  })
}

const bad: [string, string, Addr][] = [
  ['port 0', '10.0.0.1 0', malformed('10.0.0.1 0')],
  ['port 65536', '10.0.0.1 65536', malformed('10.0.0.1 65536')],
  ['negative port', '10.0.0.1 -1', malformed('10.0.0.1 -1')],
  ['named port', '10.0.0.1 http', malformed('10.0.0.1 http')],
  ['port with letters', '10.0.0.1 80a', malformed('10.0.0.1 80a')],
  ['fractional port', '10.0.0.1 8.0', malformed('10.0.0.1 8.0')],
  ['host only', '10.0.0.1', malformed('10.0.0.1')],
  ['host:port', '10.0.0.1:80', malformed('10.0.0.1:80')],
  ['three fields', '10.0.0.1 80 90', malformed('10.0.0.1 80 90')],
  ['star without weight', '10.0.0.1 80 *', malformed('10.0.0.1 80 *')],
  ['star touching weight', '10.0.0.1 80 *0.5', malformed('10.0.0.1 80 *0.5')],
  ['other separator than star', '10.0.0.1 80 x 0.5', malformed('10.0.0.1 80 x 0.5')],
  ['weight not a number', '10.0.0.1 80 * x', malformed('10.0.0.1 80 * x')],
  ['negative weight', '10.0.0.1 80 * -1', malformed('10.0.0.1 80 * -1')],
  ['NaN weight', '10.0.0.1 80 * NaN', malformed('10.0.0.1 80 * NaN')],
  ['infinite weight', '10.0.0.1 80 * 1e999', malformed('10.0.0.1 80 * 1e999')],
  ['five fields', '10.0.0.1 80 * 0.5 x', malformed('10.0.0.1 80 * 0.5 x')],
  ['no-break space is not a separator', '10.0.0.1\u00a080', malformed('10.0.0.1\u00a080')],
  ['cause is trimmed and comment-free', '  junk   # note', malformed('junk')],
  ['first bad line decides', 'a 80\nbad one\nworse\nb 81', malformed('bad one')],
  ['line cut inside the host', '127.0.0.1 80\n10.0.0.', malformed('10.0.0.')],
]

for (const [name, text, expected] of bad) {
  test(`bad: ${name}`, (t) => {
    t.deepEqual(parseAddrFile(text), expected)
  })
}
