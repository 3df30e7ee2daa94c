import test from 'ava'
import { Section } from '../config/section.js'
import { parseServerTls } from './server-config.js'

const parse = (raw: unknown) => parseServerTls(new Section(raw, 'routers[0].servers[0].tls'))

test('a server tls section: paths kept as written, defaults filled in', (t) => {
  t.deepEqual(parse({ certPath: '/c.pem', keyPath: '/k.pem' }), {
    certPath: '/c.pem',
    keyPath: '/k.pem',
    requireClientAuth: false,
    protocols: ['TLSv1.2', 'TLSv1.3'],
  })
  const every = {
    certPath: '/c.pem',
    keyPath: '/k.pem',
    intermediateCertsPath: '/i.pem',
    caCertPath: '/ca.pem',
    requireClientAuth: true,
    ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256'],
    protocols: ['TLSv1.3'],
    maxConcurrentHandshakes: 64,
  }
  t.deepEqual(parse(every), every)
})

test('absent or enabled: false is no TLS', (t) => {
  t.is(parseServerTls(undefined), undefined)
  t.is(parse({ enabled: false, certPath: '/c.pem' }), undefined)
})

const bad: Array<[string, unknown, RegExp]> = [
  ['no certPath', { keyPath: '/k' }, /^routers\[0\]\.servers\[0\]\.tls\.certPath: required/],
  ['no keyPath', { certPath: '/c' }, /tls\.keyPath: required/],
  ['an empty path', { certPath: '', keyPath: '/k' }, /tls\.certPath: must not be empty/],
  ['a path not a string', { certPath: 3, keyPath: '/k' }, /tls\.certPath: expected a string/],
  ['an unknown key', { certPath: '/c', keyPath: '/k', cert: 'x' }, /tls: unknown key\(s\): cert/],
  [
    'maxConcurrentHandshakes 0',
    { certPath: '/c', keyPath: '/k', maxConcurrentHandshakes: 0 },
    /tls\.maxConcurrentHandshakes: expected an integer in \[1, 1000000\], got number 0/,
  ],
  [
    'maxConcurrentHandshakes not an integer',
    { certPath: '/c', keyPath: '/k', maxConcurrentHandshakes: '10' },
    /tls\.maxConcurrentHandshakes: expected an integer/,
  ],
  [
    'requireClientAuth without caCertPath',
    { certPath: '/c', keyPath: '/k', requireClientAuth: true },
    /tls\.caCertPath: required when requireClientAuth is true/,
  ],
  [
    'an old protocol',
    { certPath: '/c', keyPath: '/k', protocols: ['TLSv1.1'] },
    /tls\.protocols\[0\]: unsupported TLS version "TLSv1\.1" \(too old: insecure\)/,
  ],
  [
    'an unknown protocol',
    { certPath: '/c', keyPath: '/k', protocols: ['TLSv1.2', 'h2'] },
    /tls\.protocols\[1\]: unsupported TLS version "h2" \(known: TLSv1\.2, TLSv1\.3\)/,
  ],
  [
    'no protocol',
    { certPath: '/c', keyPath: '/k', protocols: [] },
    /tls\.protocols: must not be empty/,
  ],
  [
    'a bad cipher',
    { certPath: '/c', keyPath: '/k', ciphers: ['A:B'] },
    /tls\.ciphers\[0\]: expected a cipher name/,
  ],
  ['not an object', 'yes', /tls: expected an object/],
]

for (const [what, raw, message] of bad) {
  test(`refused, naming the place: ${what}`, (t) => {
    const e = t.throws(() => parse(raw))
    t.regex(e.message, message)
    t.is((e as unknown as { code: string }).code, 'ERR_CONFIG')
  })
}

const routerServer = (raw: unknown) =>
  parseServerTls(new Section(raw, 'routers[0].servers[0].tls'), { clientNames: true })
const mutual = { certPath: '/c', keyPath: '/k', caCertPath: '/ca', requireClientAuth: true }

test('clientNames: kept on a router server that requires client certificates', (t) => {
  t.deepEqual(routerServer({ ...mutual, clientNames: ['outgoing.host-a', 'spiffe://x/y'] }), {
    ...mutual,
    protocols: ['TLSv1.2', 'TLSv1.3'],
    clientNames: ['outgoing.host-a', 'spiffe://x/y'],
  })
  t.is(routerServer({ enabled: false, clientNames: ['a'] }), undefined)
})

const badNames: Array<[string, unknown, RegExp]> = [
  [
    'without requireClientAuth',
    { certPath: '/c', keyPath: '/k', caCertPath: '/ca', clientNames: ['a'] },
    /^routers\[0\]\.servers\[0\]\.tls\.clientNames: needs requireClientAuth: true/,
  ],
  ['empty', { ...mutual, clientNames: [] }, /tls\.clientNames: must not be empty/],
  ['not a list', { ...mutual, clientNames: 'a' }, /tls\.clientNames: expected a list/],
  [
    'an empty name',
    { ...mutual, clientNames: ['a', ''] },
    /tls\.clientNames\[1\]: expected a certificate name/,
  ],
  [
    'a control character',
    { ...mutual, clientNames: ['a\nb'] },
    /tls\.clientNames\[0\]: expected a certificate name/,
  ],
]

for (const [what, raw, message] of badNames) {
  test(`clientNames refused, naming the place: ${what}`, (t) => {
    const e = t.throws(() => routerServer(raw))
    t.regex(e.message, message)
    t.is((e as unknown as { code: string }).code, 'ERR_CONFIG')
  })
}

test('clientNames is not a key of the admin servers', (t) => {
  const e = t.throws(() => parse({ ...mutual, clientNames: ['a'] }))
  t.regex(e.message, /tls: unknown key\(s\): clientNames/)
})
