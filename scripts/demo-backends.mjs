#!/usr/bin/env node
// `npm run demo:backends [DIR]`: one tiny HTTP backend on every `host port` named by the
// io.l5d.fs service files of examples/disco (or DIR), so the example configs answer instead of
// 502. Every request gets `<service> on <host>:<port>`, which shows where the router sent it.
// Each speaks HTTP/1.1 and, for the h2 router examples, HTTP/2 by prior knowledge (h2c).
// Ctrl-C or SIGTERM stops them all, and so does the end of the process that started it.
// Nothing but node: built-ins, and no build needed.
import { readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createH2Server } from 'node:http2'
import { createServer as createNetServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = process.argv[2] ?? join(root, 'examples', 'disco')

/**
 * Every endpoint the service files in `discoDir` name, keyed `host:port`, with the services
 * that list it. Lines are read as io.l5d.fs reads them: `#` starts a comment, then
 * `host port` or `host port * weight`; other lines are reported and skipped.
 */
function endpoints(discoDir) {
  const found = new Map()
  const files = readdirSync(discoDir, { withFileTypes: true })
  for (const file of files.filter((f) => f.isFile() && !f.name.startsWith('.'))) {
    const text = readFileSync(join(discoDir, file.name), 'utf8')
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim()
      if (line === '') continue
      const [host, portText] = line.split(/\s+/)
      const port = Number(portText)
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        console.error(`skipped ${file.name}: "${line}" (not "host port")`)
        continue
      }
      const key = `${host}:${port}`
      const entry = found.get(key) ?? { host, port, services: [] }
      entry.services.push(file.name)
      found.set(key, entry)
    }
  }
  return [...found.values()]
}

/**
 * Listens on the endpoint's host and port, HTTP/1.1 and h2c on the same port: a connection's
 * first bytes say which (HTTP/2's preface starts with `PRI`). Rejects with a message saying
 * which endpoint failed.
 */
function serve({ host, port, services }) {
  const answer = `${services.join(', ')} on ${host}:${port}\n`
  const h1 = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(answer)
  })
  const h2 = createH2Server()
  h2.on('stream', (stream) => {
    stream.on('error', () => undefined)
    stream.resume()
    stream.respond({ ':status': 200, 'content-type': 'text/plain; charset=utf-8' })
    stream.end(answer)
  })
  const sockets = new Set()
  const server = createNetServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    // Read in paused mode and put the bytes back: the chosen server then reads them first.
    socket.once('readable', function peek() {
      const first = socket.read()
      if (first === null) return socket.once('readable', peek)
      socket.unshift(first)
      const h2c = first.subarray(0, 3).toString('latin1') === 'PRI'
      ;(h2c ? h2 : h1).emit('connection', socket)
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', (e) => {
      const why = e.code === 'EADDRINUSE' ? 'in use (demo:backends already running?)' : e.message
      reject(new Error(`cannot listen on ${host}:${port} for ${services.join(', ')}: ${why}`))
    })
    server.listen(port, host, () => resolve({ server, sockets }))
  })
}

/** Closes every server, dropping kept-alive connections, so the process can end. */
async function closeAll(servers) {
  await Promise.all(
    servers.map(
      ({ server, sockets }) =>
        new Promise((resolve) => {
          server.close(() => resolve())
          for (const socket of sockets) socket.destroy()
        }),
    ),
  )
}

async function main() {
  const list = endpoints(dir)
  if (list.length === 0) throw new Error(`no endpoints in the service files of ${dir}`)
  const started = await Promise.allSettled(list.map(serve))
  const servers = started.filter((r) => r.status === 'fulfilled').map((r) => r.value)
  const failed = started.filter((r) => r.status === 'rejected')
  if (failed.length > 0) {
    await closeAll(servers)
    throw new Error(failed.map((r) => r.reason.message).join('\n'))
  }
  for (const e of list) console.log(`${e.services.join(', ')} on ${e.host}:${e.port}`)
  console.log(`${servers.length} demo backends up (from ${dir}); Ctrl-C stops them`)
  let stopping
  const stop = () => {
    stopping ??= closeAll(servers).then(() => console.log('demo backends stopped'))
    clearInterval(orphaned)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // A SIGTERM sent to `npm run` alone ends npm and its shell but not us: stop when the
  // process that started us is gone, rather than hold the ports for ever.
  const parent = process.ppid
  const orphaned = setInterval(() => process.ppid !== parent && stop(), 500)
}

main().catch((e) => {
  console.error(`demo:backends: ${e.message}`)
  process.exitCode = 1
})
