/**
 * IP literals as Java's `InetAddress.getByName` reads them (IPv4: `IPAddressUtil`'s
 * 1-to-4-part decimal form), written one way per address. Expected values worked out by hand.
 */
import test from 'ava'
import { canonicalHost, ipValue, parseIpLiteral } from './ip.js'

test('parseIpLiteral reads IPv4 as InetAddress does', (t) => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['10.1', '10.0.0.1'],
    ['10.1.2', '10.1.0.2'],
    ['10.258', '10.0.1.2'], // the last part fills the remaining bytes
    ['1', '0.0.0.1'],
    ['0', '0.0.0.0'],
    ['2130706433', '127.0.0.1'], // one 32-bit number
    ['4294967295', '255.255.255.255'],
    ['4294967296', undefined],
    ['1.16777215', '1.255.255.255'],
    ['1.16777216', undefined],
    ['1.2.65535', '1.2.255.255'],
    ['1.2.65536', undefined],
    ['010.001', '10.0.0.1'], // decimal, not octal
    ['127.0.0.01', '127.0.0.1'],
    ['256.1', undefined],
    ['1.2.3.256', undefined],
    ['1.2.3.4.5', undefined],
    ['1..2', undefined],
    ['1.2.', undefined],
    ['127.0.0.1.', undefined],
    ['.1', undefined],
    ['000000000000001', '0.0.0.1'], // 15 characters
    ['0000000000000001', undefined], // 16: longer than any literal
    ['0x7f.1', undefined],
    ['0x7f000001', undefined],
    ['+1', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    [' 127.1', undefined],
    ['127.1 ', undefined],
    ['\uff11\uff12\uff17.1', undefined], // fullwidth digits: ASCII only
    ['localhost', undefined],
    ['example.com', undefined],
    ['', undefined],
  ]
  for (const [host, expected] of cases) t.is(parseIpLiteral(host), expected, host)
})

test('parseIpLiteral reads IPv6, bracketed or not, printed compressed (RFC 5952)', (t) => {
  const cases: [string, string | undefined][] = [
    ['::1', '::1'],
    ['0:0::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['[::1]', '::1'],
    ['[0:0:0:0:0:0:0:1]', '::1'],
    ['FE80::1', 'fe80::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // the longest run of zeros is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['[FE80::1%eth0]', 'fe80::1%eth0'],
    ['::ffff:1.2.3.4', '1.2.3.4'], // IPv4-mapped: Java makes it an Inet4Address
    ['::ffff:102:304', '1.2.3.4'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['::', '::'],
    ['[127.0.0.1]', undefined], // Java refuses a bracketed IPv4 address
    ['[::1', undefined],
    ['::1]', undefined],
    ['[]', undefined],
    [':::', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['12345::1', undefined],
    ['::ffff:1.2.3', undefined],
    ['fe80::1%', undefined],
    ['g::1', undefined],
    ['host:80', undefined],
    ['127.0.0.1:80', undefined],
  ]
  for (const [host, expected] of cases) t.is(parseIpLiteral(host), expected, host)
})

test('canonicalHost rewrites IP literals and keeps host names as written', (t) => {
  const cases: [string, string][] = [
    ['127.1', '127.0.0.1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['[::1]', '::1'],
    ['Web-1.Example.com', 'Web-1.Example.com'],
    ['localhost', 'localhost'],
    ['256.1', '256.1'], // not a literal, so a (strange) name
    ['[127.0.0.1]', '[127.0.0.1]'],
  ]
  for (const [host, expected] of cases) t.is(canonicalHost(host), expected, host)
})

test('ipValue compares by value: the zone is dropped, names are undefined', (t) => {
  const cases: [string, string | undefined][] = [
    ['127.1', '127.0.0.1'],
    ['[FE80::1%eth0]', 'fe80::1'],
    ['fe80::1%2', 'fe80::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['localhost', undefined],
    ['', undefined],
  ]
  for (const [host, expected] of cases) t.is(ipValue(host), expected, host)
})
