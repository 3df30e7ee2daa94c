/**
 * The http2-proxy forwarder, one process, no routing: `node http2-proxy-forwarder.js <upstream
 * port>`. h2c in through node:http2's compatibility API, HTTP/1.1 out through http2-proxy (the
 * library the issue prescribed, which cannot speak HTTP/2 to an upstream) with a keep-alive
 * agent, to an HTTP/1.1 backend. Measured beside the bare h2 → h2 forwarder, it is the
 * measurement that decided to build the router's forwarder on `node:http2`. Sends `{port}` over
 * IPC once listening.
 */
import { Agent } from 'node:http'
import { createServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import proxy from 'http2-proxy'

const upstreamPort = Number(process.argv[2])
const agent = new Agent({ keepAlive: true, maxSockets: 256 })

const server = createServer((req, res) => {
  const options = {
    hostname: '127.0.0.1',
    port: upstreamPort,
    onReq: async (_: unknown, opts: { agent?: Agent }) => {
      opts.agent = agent
    },
  }
  void proxy.web(req, res, options, (err) => {
    if (err !== null && err !== undefined && !res.headersSent) res.writeHead(502).end()
  })
})
server.listen(0, '127.0.0.1', () =>
  process.send?.({ port: (server.address() as AddressInfo).port }),
)
