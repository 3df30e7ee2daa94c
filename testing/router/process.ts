/**
 * End-to-end test harness: real backends on loopback, the real `router` binary started from a
 * config file, requests over real sockets. Everything started is stopped in `t.teardown`.
 */
import type { ExecutionContext } from 'ava'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { freePort } from '../free-port.js'
import { repoPath } from '../paths.js'
import { startProgram, type Program } from '../program.js'

const routerBin = repoPath('bin/router.js')

export interface Backend {
  readonly name: string
  readonly port: number
  /** Requests seen: method, url, headers. */
  readonly seen: {
    method: string
    url: string
    headers: Record<string, string | string[] | undefined>
  }[]
}

type Handler = (req: IncomingMessage, res: ServerResponse, name: string) => void

/** Answers 200 with a JSON echo of the request (name, url, headers). */
export const echo: Handler = (req, res, name) => {
  req.resume()
  req.on('end', () => {
    const body = JSON.stringify({ backend: name, url: req.url, headers: req.headers })
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name })
    res.end(body)
  })
}

/** Starts a backend on a free loopback port. */
export async function backend(
  t: ExecutionContext,
  name: string,
  handler: Handler = echo,
): Promise<Backend> {
  const seen: Backend['seen'] = []
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    handler(req, res, name)
  })
  return { name, port: await listenUntilTeardown(t, server), seen }
}

/** Listens on a free loopback port until the test ends (connections dropped); the port. */
export async function listenUntilTeardown(t: ExecutionContext, server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return (server.address() as AddressInfo).port
}

/** A temp directory removed after the test. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'router-e2e-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes an io.l5d.fs directory: service name → backends. */
export function disco(dir: string, services: Record<string, readonly Backend[]>): string {
  const root = join(dir, 'disco')
  mkdirSync(root, { recursive: true })
  for (const [svc, backends] of Object.entries(services)) writeService(root, svc, backends)
  return root
}

export function writeService(root: string, svc: string, backends: readonly Backend[]): void {
  writeFileSync(join(root, svc), backends.map((b) => `127.0.0.1 ${b.port}\n`).join(''))
}

export interface RunningRouter extends Program {
  readonly port: number
  readonly adminPort: number
}

/**
 * Starts `bin/router.js` with `config` (its first router's first server gets a free port unless
 * set; the admin server gets a free port) and waits for `/admin/ready` (over HTTPS, checked
 * against `adminCa`, when the config has `admin.tls`).
 */
export async function startRouter(
  t: ExecutionContext,
  dir: string,
  config: Record<string, unknown>,
  options: { adminCa?: string } = {},
): Promise<RunningRouter> {
  const port = await freePort()
  const adminPort = await freePort()
  const routers = config.routers as { servers?: { port?: number }[] }[]
  const first = routers[0] as { servers?: { port?: number }[] }
  first.servers ??= [{}]
  ;(first.servers[0] as { port?: number }).port ??= port
  // The admin settings given (a shutdown grace, say) are kept; the admin port is this one.
  const admin = { ...(config.admin as Record<string, unknown> | undefined), port: adminPort }
  const full = { ...config, admin }
  const file = join(dir, `router-${port}.json`)
  writeFileSync(file, JSON.stringify(full))
  const program = await startProgram(t, {
    name: 'router',
    bin: routerBin,
    args: [file],
    admin: `${options.adminCa === undefined ? 'http' : 'https'}://127.0.0.1:${adminPort}`,
    ...(options.adminCa === undefined ? {} : { adminCa: options.adminCa }),
    readyWithinMs: 30_000,
  })
  const routerPort = (first.servers[0] as { port: number }).port
  return { ...program, port: routerPort, adminPort }
}

/** A running router's `/admin/metrics.json`: flat metric names and their values. */
export async function adminMetrics(r: RunningRouter): Promise<Record<string, number>> {
  const reply = await request(`http://127.0.0.1:${r.adminPort}/admin/metrics.json`)
  return (await reply.body.json()) as Record<string, number>
}

/** One keep-alive client for a test's requests. */
export function client(t: ExecutionContext): Agent {
  const agent = new Agent({ connections: 64, pipelining: 1 })
  t.teardown(() => agent.close())
  return agent
}

export interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** GET (or another method) through the router; resolves with status, headers and body text. */
export async function send(
  agent: Agent,
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method: 'GET' | 'POST' = 'GET',
  body?: string,
): Promise<Reply> {
  const r = await request(`http://127.0.0.1:${port}${path}`, {
    dispatcher: agent,
    method,
    headers,
    body,
  })
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() }
}

/** The JSON echo of a backend from a reply. */
export function echoed(r: Reply): {
  backend: string
  url: string
  headers: Record<string, string>
} {
  return JSON.parse(r.body) as { backend: string; url: string; headers: Record<string, string> }
}

/**
 * This machine's first non-loopback IPv4 address: a client connecting to it comes from that
 * address, as a client on another host would (not from loopback).
 */
export function networkAddress(): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? [])
  const found = all.find((i) => i.family === 'IPv4' && !i.internal)
  if (found === undefined) throw new Error('this test needs a non-loopback IPv4 interface')
  return found.address
}
