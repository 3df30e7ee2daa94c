import test from 'ava'
import { readPath } from '../../dtabs/index.js'
import { parseClient, tlsFor } from './client.js'

const warn = (): void => undefined

const client = parseClient(
  {
    kind: 'io.l5d.static',
    configs: [
      {
        prefix: '/#/io.l5d.fs/{service}',
        tls: { commonName: '{service}.test', trustCerts: ['/ca.pem'] },
      },
      { prefix: '/#/io.l5d.fs/plain', tls: { enabled: false } },
      { prefix: '/$/inet/{host}/*', tls: { commonName: '{host}', disableValidation: true } },
      { prefix: '/#/io.l5d.fs/users', requestAttemptTimeoutMs: 100 },
    ],
  },
  'routers[0].client',
  warn,
)

test('commonName is filled with the captures of the matching prefix', (t) => {
  t.is(tlsFor(client, readPath('/#/io.l5d.fs/users'))?.commonName, 'users.test')
  t.is(tlsFor(client, readPath('/#/io.l5d.fs/books/v2'))?.commonName, 'books.test')
  t.deepEqual(tlsFor(client, readPath('/#/io.l5d.fs/users'))?.trustCerts, ['/ca.pem'])
  t.is(tlsFor(client, readPath('/$/inet/127.0.0.1/8080'))?.commonName, '127.0.0.1')
})

test('no matching tls, or a later enabled: false, is plain TCP', (t) => {
  t.is(tlsFor(client, readPath('/#/io.l5d.other/users')), undefined)
  t.is(tlsFor(client, readPath('/#/io.l5d.fs/plain')), undefined)
})
