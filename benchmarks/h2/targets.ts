/**
 * What the HTTP/2 benchmark measures, each started as its own process(es): the h2c backends
 * (and an HTTP/1.1 one for http2-proxy), nginx with `grpc_pass`, the bare `node:http2`
 * forwarder, the http2-proxy forwarder and the router with an h2 router.
 */
import { join } from 'node:path'
import { repoPath } from '../../testing/paths.js'
import { forkServer, type Proc } from '../proxy/procs.js'
import { benchDtab, spawnRouter, startNginxServer } from '../proxy/targets.js'

const here = repoPath('dist/benchmarks/h2')

/** Streams per connection the router's server accepts (the 10,000 held ones fit in one). */
export const ROUTER_STREAMS = 10_000

/** A backend process; `protocol` h2c (prior knowledge) or http1. */
export async function startBackend(protocol: 'h2c' | 'http1', trailers: boolean): Promise<Proc> {
  const args = [protocol, ...(trailers ? ['--trailers'] : [])]
  const proc = await forkServer(`backend (${protocol})`, join(here, 'backend.js'), args)
  proc.child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      process.stderr.write(`${proc.name} on port ${proc.port} exited: ${code ?? signal}\n`)
  })
  return proc
}

/** How many streams a backend holds open now (`/hold` requests not yet gone). */
export function heldStreams(backend: Proc): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${backend.name} did not answer`)), 5000)
    backend.child.once('message', (m: { held: number }) => {
      clearTimeout(timer)
      resolve(m.held)
    })
    backend.child.send('held?')
  })
}

/**
 * nginx, one worker, h2c in (`listen … http2`, prior knowledge) and `grpc_pass` out: HTTP/2 to
 * the backend over kept-alive connections. `grpc_pass` forwards any h2 request, gRPC or not.
 * nginx closes a connection (GOAWAY) after `keepalive_requests` (1,000 by default, on both
 * sides), which h2load counts as failures of the streams in flight and does not reopen: raised.
 */
export function startNginxH2(backendPort: number): Promise<Proc> {
  const forever = 'keepalive_requests 100000000;'
  const upstream = `server 127.0.0.1:${backendPort}; keepalive 128; ${forever}`
  return startNginxServer('nginx (grpc_pass)', 1, upstream, (port) => {
    return `listen 127.0.0.1:${port} http2;
    ${forever}
    location / { grpc_pass grpc://backend; }`
  })
}

export function startBareForwarder(backendPort: number): Promise<Proc> {
  const script = join(here, 'bare-forwarder.js')
  return forkServer('bare node:http2 forwarder', script, [String(backendPort)])
}

/** http2-proxy: h2c in, HTTP/1.1 out; `backendPort` is an http1 backend's. */
export function startHttp2Proxy(backendPort: number): Promise<Proc> {
  const script = join(here, 'http2-proxy-forwarder.js')
  return forkServer('http2-proxy forwarder (h2 → h1)', script, [String(backendPort)])
}

/**
 * The router (one process) with one `protocol: h2` router: `:authority: bench` names
 * `/svc/bench`, a 99/1 union over the two backends. Its server accepts ROUTER_STREAMS streams
 * per connection (an h2 client takes no such key: its sessions open as many streams as each
 * endpoint allows). `bin`: the router program to run (another built checkout's, to compare).
 */
export function startRouter(backendPorts: readonly [number, number], bin?: string): Promise<Proc> {
  const router = { protocol: 'h2', dtab: benchDtab(backendPorts) }
  const server = { maxConcurrentStreamsPerConnection: ROUTER_STREAMS }
  return spawnRouter('router', router, server, bin === undefined ? {} : { bin })
}
