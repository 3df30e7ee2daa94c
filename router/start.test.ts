/**
 * startRouters picks each router's transport by its protocol. Until the HTTP/2 transport is part
 * of the build, an h2 router is refused at start with a config error naming it, before anything
 * listens; http routers start as before.
 */
import test from 'ava'
import { createConnection } from 'node:net'
import { nullLog } from '../lib/log.js'
import { parseConfig } from './config/index.js'
import { MetricsRegistry } from './metrics/index.js'
import { startRouters } from './start.js'
import { h2Transport } from './h2/transport.js'
import { freePort } from '../testing/free-port.js'

const metrics = () => new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })

/** True if something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

test('an http router starts on its port; an h2 one needs the HTTP/2 transport', async (t) => {
  const [httpPort, h2Port] = [await freePort(), await freePort()]
  const config = parseConfig({
    routers: [
      { protocol: 'http', servers: [{ port: httpPort }] },
      { protocol: 'h2', servers: [{ port: h2Port }] },
    ],
  })
  if (h2Transport !== undefined) {
    const running = await startRouters(config, nullLog, metrics())
    t.teardown(() => running.close(0))
    t.deepEqual(
      running.servers.map((s) => s.address.port),
      [httpPort, h2Port],
    )
    return
  }
  await t.throwsAsync(startRouters(config, nullLog, metrics()), {
    code: 'ERR_CONFIG',
    message: 'routers[1].protocol: h2 routers need the HTTP/2 transport, which this build lacks',
  })
  t.false(await listening(httpPort), 'nothing was started')
  const httpOnly = parseConfig({ routers: [{ protocol: 'http', servers: [{ port: httpPort }] }] })
  const running = await startRouters(httpOnly, nullLog, metrics())
  t.teardown(() => running.close(0))
  t.true(await listening(httpPort))
})
