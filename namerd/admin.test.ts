import test from 'ava'
import { redactSecrets } from './admin.js'

test('config.json: token settings are shown (paths and names), credentials are redacted', (t) => {
  const config = {
    admin: { auth: { control: { tokenFile: '/etc/namerd/admin-token' } } },
    storage: {
      kind: 'io.l5d.zk',
      authInfo: { scheme: 'digest', auth: 'user:pw' },
      password: 'etcd-pw',
    },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: { tokenEnv: 'NAMERD_TOKEN' } } }],
    zk: { auth: 'user:secret' },
  }
  t.deepEqual(redactSecrets(config), {
    admin: { auth: { control: { tokenFile: '/etc/namerd/admin-token' } } },
    storage: { kind: 'io.l5d.zk', authInfo: '<redacted>', password: '<redacted>' },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: { tokenEnv: 'NAMERD_TOKEN' } } }],
    zk: { auth: '<redacted>' },
  })
})
