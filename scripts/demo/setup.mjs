// What the demo runs on: its ports, the two versions of the "users" service (in this process),
// and the files in its temp dir: the io.l5d.fs disco dir, namerd's and the router's configs.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'

/** The four ports, from the environment or linkerd's defaults; what each is and its variable. */
export function demoPorts(env = process.env) {
  const port = (name, fallback, what) => {
    const raw = env[name] ?? String(fallback)
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new Error(`${name}=${raw} is not a port number`)
    }
    return { port: n, what, env: name }
  }
  return {
    router: port('DEMO_ROUTER_PORT', 4140, 'the router'),
    admin: port('DEMO_ADMIN_PORT', 9990, "the router's admin"),
    namerd: port('DEMO_NAMERD_PORT', 4180, "namerd's API"),
    namerdAdmin: port('DEMO_NAMERD_ADMIN_PORT', 9991, "namerd's admin"),
  }
}

/**
 * One version of "users" on a free loopback port; says which version answered (x-version).
 * With `failEvery`, every so many requests get a 500 (a broken build).
 */
export function usersService(version, failEvery = 0) {
  let n = 0
  const server = createServer((req, res) => {
    req.resume()
    const status = failEvery > 0 && ++n % failEvery === 0 ? 500 : 200
    res.writeHead(status, { 'content-type': 'text/plain', 'x-version': version })
    res.end(`users ${version}: hello from ${req.headers['l5d-dst-client'] ?? 'somewhere'}\n`)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

/** Stops a service now, keep-alive connections included. */
export function closeService(server) {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** Writes the disco dir (`users-v1`, `users-v2` → their ports) and both configs; their paths. */
export function writeFiles(work, ports, services) {
  const disco = join(work, 'disco')
  mkdirSync(disco)
  for (const [name, server] of Object.entries(services)) {
    writeFileSync(join(disco, name), `127.0.0.1 ${server.address().port}\n`)
  }
  mkdirSync(join(work, 'namerd'))
  const namerdConfig = join(work, 'namerd.yaml')
  writeFileSync(
    namerdConfig,
    `# namerd with the embedded file store and an io.l5d.fs namer over the disco dir.
admin:
  port: ${ports.namerdAdmin.port}
storage:
  kind: io.l5d.file
  path: ${join(work, 'namerd', 'dtabs.json')}
namers:
- kind: io.l5d.fs
  rootDir: ${disco}
interfaces:
- kind: io.l5d.httpController
  port: ${ports.namerd.port}
`,
  )
  const routerConfig = join(work, 'router.yaml')
  writeFileSync(
    routerConfig,
    `# A router that asks namerd (namespace "shop") to bind every name, and follows its changes.
admin:
  port: ${ports.admin.port}
routers:
- protocol: http
  label: demo
  interpreter:
    kind: io.l5d.namerd.http
    dst: /$/inet/127.0.0.1/${ports.namerd.port}
    namespace: shop
    retry: { baseSeconds: 0.5, maxSeconds: 5 }
  servers:
  - port: ${ports.router.port}
`,
  )
  return { disco, namerdConfig, routerConfig }
}

/** The namespace's dtab as the demo creates it: all of "users" on v1 (a 0% canary). */
export const SHOP_DTAB = `# The shop's services: /svc/<name> is /srv/<name>, found by the io.l5d.fs namer.
/srv => /#/io.l5d.fs;
/svc => /srv;
/svc/users => /srv/users-v1;
`
