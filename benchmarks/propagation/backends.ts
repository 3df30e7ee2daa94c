/**
 * The two versions of the `users` service, as one child process of the benchmark (so that
 * answering requests does not load the event loop that timestamps them): each answers every
 * request with `x-version: v1` (or `v2`) and a 2-byte body, keep-alive. Sends `{v1, v2}` (the
 * ports) over IPC once both listen.
 */
import { createServer, type Server } from 'node:http'

function listen(version: string): Promise<number> {
  const head = ['x-version', version, 'content-type', 'text/plain', 'content-length', '2']
  const server: Server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, head)
    res.end(version)
  })
  server.keepAliveTimeout = 65_000
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}

const [v1, v2] = await Promise.all([listen('v1'), listen('v2')])
process.send?.({ v1, v2 })
// The benchmark going away (even killed) closes the IPC channel: leave with it.
process.on('disconnect', () => process.exit(0))
