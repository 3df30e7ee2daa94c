// A bare undici forwarder, no routing: the fastest plain Node proxy we know (benchmarks/README.md,
// "Why these baselines").
import { createServer } from 'node:http'
import { Pool } from 'undici'

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number)
const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { pipelining: 1 })
const hop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
])

class Handler {
  constructor(res) {
    this.res = res
  }
  onConnect() {}
  onHeaders(status, raw, resume) {
    const headers = []
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toString('latin1')
      if (!hop.has(name.toLowerCase())) headers.push(name, raw[i + 1].toString('latin1'))
    }
    this.resume = resume
    this.res.writeHead(status, headers)
    return true
  }
  onData(chunk) {
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.resume)
    return false
  }
  onComplete() {
    this.res.end()
  }
  onError() {
    if (!this.res.headersSent) this.res.writeHead(502).end()
    else this.res.destroy()
  }
}

const server = createServer((req, res) => {
  const headers = []
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2)
    if (!hop.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1])
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  pool.dispatch(
    { method: req.method, path: req.url, headers, body: hasBody ? req : null },
    new Handler(res),
  )
})
server.keepAliveTimeout = 65_000
server.listen(listenPort, '127.0.0.1', () => process.send?.({ port: server.address().port }))
