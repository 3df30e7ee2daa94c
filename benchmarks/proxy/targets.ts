/** The things the proxy benchmark measures, each started as its own process(es). */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoPath } from '../../testing/paths.js'
import { forkServer, freePort, spawnServer, type Proc } from './procs.js'

const here = repoPath('benchmarks/proxy')
const routerBin = repoPath('bin/router.js')

export function startBackend(): Promise<Proc> {
  return forkServer('backend', join(here, 'backend.mjs'), ['0'])
}

export function startNginx(upstreamPort: number, workers: number): Promise<Proc> {
  const upstream = `server 127.0.0.1:${upstreamPort}; keepalive 128;`
  return startNginxProxy(`nginx × ${workers}`, workers, upstream)
}

/**
 * nginx as a reverse proxy in a temp prefix (its own pid, logs and temp paths): `upstream` is
 * the body of its upstream block, `location` extra lines for the proxying location, `tls` the
 * `ssl_*` lines of a server that terminates TLS (then it listens with `ssl`).
 */
export function startNginxProxy(
  name: string,
  workers: number,
  upstream: string,
  location = '',
  tls?: string,
): Promise<Proc> {
  return startNginxServer(name, workers, upstream, (port) => {
    const listen = `listen 127.0.0.1:${port}${tls === undefined ? ';' : ` ssl;\n    ${tls}`}`
    return `${listen}
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      ${location}
    }`
  })
}

/**
 * nginx run as this user in a temp prefix (its own pid, logs and temp paths) with one upstream
 * block named `backend` (`upstream` is its body) and one server whose body `server` gives for
 * the free port it must listen on.
 */
export async function startNginxServer(
  name: string,
  workers: number,
  upstream: string,
  server: (port: number) => string,
): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'))
  const port = await freePort()
  const conf = `worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend { ${upstream} }
  server {
    ${server(port)}
  }
}
`
  writeFileSync(join(dir, 'nginx.conf'), conf)
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']
  return spawnServer(name, 'nginx', args, port)
}

export async function startForwarder(
  kind: 'undici' | 'http2-proxy',
  upstreamPort: number,
): Promise<Proc> {
  const script = join(here, `${kind}-forwarder.mjs`)
  return forkServer(`${kind} forwarder`, script, ['0', String(upstreamPort)])
}

/** The dtab of the benchmark's routers: `/svc/bench` is a 99/1 union over two backend ports. */
export function benchDtab(backendPorts: readonly [number, number]): string {
  const [a, b] = backendPorts
  return `/svc => /$/inet/127.0.0.1/${a}; /svc/bench => 99 * /$/inet/127.0.0.1/${a} & 1 * /$/inet/127.0.0.1/${b}`
}

/**
 * The router with one http router: Host names the service, `/svc/bench` is a 99/1 union over
 * two ports of the backend (the canary case), any other name goes to the backend directly.
 */
export function startRouter(
  backendPorts: readonly [number, number],
  workers: number,
  bin = routerBin,
  name = `router${workers > 1 ? ` × ${workers}` : ''}`,
): Promise<Proc> {
  const args = workers > 1 ? ['--workers', String(workers)] : []
  return spawnRouter(name, { dtab: benchDtab(backendPorts) }, {}, { bin, args })
}

/**
 * The real `router` program with one http router of keys `router` (dtab, client, ...), one
 * server on a free port with keys `server` (e.g. `tls`), its admin on another free port
 * (`adminPort`).
 */
export async function spawnRouter(
  name: string,
  router: Record<string, unknown>,
  server: Record<string, unknown> = {},
  o: { readonly bin?: string; readonly args?: readonly string[] } = {},
): Promise<Proc & { readonly adminPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-router-'))
  const [port, adminPort] = [await freePort(), await freePort()]
  const config = {
    admin: { port: adminPort },
    routers: [{ protocol: 'http', ...router, servers: [{ port, ...server }] }],
  }
  const file = join(dir, 'router.json')
  writeFileSync(file, JSON.stringify(config))
  // Run as an installed `router` command runs: through its shebang, with its Node flags.
  const proc = await spawnServer(name, o.bin ?? routerBin, [file, ...(o.args ?? [])], port)
  return { ...proc, adminPort }
}
