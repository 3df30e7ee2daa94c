// A minimal HTTP/1.1 backend for the proxy benchmark: 100-byte body, keep-alive, content-length.
import { createServer } from 'node:http'

const port = Number(process.argv[2] ?? 0)
const body = Buffer.alloc(100, 'x')
const server = createServer((req, res) => {
  req.resume()
  res.writeHead(200, ['content-type', 'text/plain', 'content-length', '100'])
  res.end(body)
})
server.keepAliveTimeout = 65_000
server.listen(port, '127.0.0.1', () => process.send?.({ port: server.address().port }))
