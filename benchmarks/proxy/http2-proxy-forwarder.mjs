// A bare http2-proxy forwarder with a keep-alive agent, no routing (the prescribed proxy library).
import { Agent, createServer } from 'node:http'
import proxy from 'http2-proxy'

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number)
const agent = new Agent({ keepAlive: true, maxSockets: 256 })
const server = createServer((req, res) => {
  proxy.web(
    req,
    res,
    {
      hostname: '127.0.0.1',
      port: upstreamPort,
      onReq: (r, opts) => {
        opts.agent = agent
      },
    },
    (err) => {
      if (err && !res.headersSent) res.writeHead(502).end()
    },
  )
})
server.keepAliveTimeout = 65_000
server.listen(listenPort, '127.0.0.1', () => process.send?.({ port: server.address().port }))
