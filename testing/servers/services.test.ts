import test from 'ava'
import { startEtcd } from './etcd-server.js'
import { fourLetter, startZooKeeper } from './zk-server.js'

test('etcd starts, answers, survives a kill and restart on the same data', async (t) => {
  const etcd = await startEtcd()
  try {
    const url = `http://${etcd.endpoint}`
    t.true((await fetch(`${url}/health`)).ok)
    await etcd.kill()
    await t.throwsAsync(fetch(`${url}/health`))
    await etcd.start()
    t.true((await fetch(`${url}/health`)).ok)
  } finally {
    await etcd.cleanup()
  }
})

test('ZooKeeper starts and answers ruok', async (t) => {
  const zk = await startZooKeeper()
  try {
    t.is(await fourLetter(zk.port, 'ruok'), 'imok')
  } finally {
    await zk.cleanup()
  }
  await t.throwsAsync(fourLetter(zk.port, 'ruok'))
})
