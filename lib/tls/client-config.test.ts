import test from 'ava'
import { Section } from '../config/section.js'
import { parseClientTls } from './client-config.js'

const parse = (raw: unknown) => parseClientTls(new Section(raw, 'client.tls'))

test('a full section is read; trustCertsBundle comes after trustCerts', (t) => {
  const tls = parse({
    commonName: '{service}.example.com',
    trustCerts: ['/ca1.pem', '/ca2.pem'],
    trustCertsBundle: '/bundle.pem',
    clientAuth: { certPath: '/me.pem', keyPath: '/me.key', intermediateCertsPath: '/int.pem' },
    protocols: ['TLSv1.3'],
  })
  t.deepEqual(tls, {
    enabled: true,
    disableValidation: false,
    commonName: '{service}.example.com',
    trustCerts: ['/ca1.pem', '/ca2.pem', '/bundle.pem'],
    clientAuth: { certPath: '/me.pem', keyPath: '/me.key', intermediateCertsPath: '/int.pem' },
    protocols: ['TLSv1.3'],
  })
})

test('disableValidation needs no commonName; enabled: false needs nothing', (t) => {
  t.deepEqual(parse({ disableValidation: true }), {
    enabled: true,
    disableValidation: true,
    trustCerts: [],
  })
  t.false(parse({ enabled: false }).enabled)
})

const bad: readonly [string, unknown, string][] = [
  ['no commonName', {}, 'client.tls.commonName: required unless disableValidation is true'],
  ['empty commonName', { commonName: '' }, 'client.tls.commonName: must not be empty'],
  [
    'disableValidation with clientAuth',
    { disableValidation: true, clientAuth: { certPath: '/c', keyPath: '/k' } },
    'client.tls.clientAuth: cannot be combined with disableValidation: true',
  ],
  [
    'clientAuth without certPath',
    { commonName: 'x', clientAuth: { keyPath: '/k' } },
    'client.tls.clientAuth.certPath: required',
  ],
  [
    'trustCerts not a list',
    { commonName: 'x', trustCerts: '/ca.pem' },
    'client.tls.trustCerts: expected a list, got string "/ca.pem"',
  ],
  [
    'trustCerts item',
    { commonName: 'x', trustCerts: [''] },
    'client.tls.trustCerts[0]: expected a file path',
  ],
  [
    'unknown protocol',
    { commonName: 'x', protocols: ['SSLv3'] },
    'client.tls.protocols[0]: unsupported TLS version "SSLv3" (too old: insecure) (known: TLSv1.2, TLSv1.3)',
  ],
  ['unknown key', { commonName: 'x', certPath: '/c' }, 'client.tls: unknown key(s): certPath'],
  [
    'clientAuth unknown key',
    { commonName: 'x', clientAuth: { certPath: '/c', keyPath: '/k', pass: 'p' } },
    'client.tls.clientAuth: unknown key(s): pass',
  ],
]

for (const [name, raw, message] of bad) {
  test(`refused: ${name}`, (t) => {
    t.throws(() => parse(raw), { code: 'ERR_CONFIG', message } as never)
  })
}
