/**
 * The real router (`bin/router.js`) set up for HTTP/2 end-to-end tests: one `protocol: h2`
 * router naming each call by its first path segment (`io.l5d.header.path`, `segments: 1`: a gRPC
 * call `/test.Echo/Unary` is `/svc/test.Echo`), with an io.l5d.fs directory of services.
 *
 *   const router = await h2Router(t, { 'test.Echo': [b1.port, b2.port] })
 */
import type { ExecutionContext } from 'ava'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startRouter, tempDir, type RunningRouter } from '../router/process.js'

/** gRPC's identifier: `/pkg.Service/Method` names `/svc/pkg.Service`. */
export const SERVICE_IDENTIFIER = { kind: 'io.l5d.header.path', segments: 1 }

/** Service name → the ports of its endpoints on 127.0.0.1. */
export type Services = Readonly<Record<string, readonly number[]>>

/** Writes `services` as an io.l5d.fs directory under `dir`; its path. */
export function writeDisco(dir: string, services: Services): string {
  const root = join(dir, 'disco')
  mkdirSync(root, { recursive: true })
  for (const [name, ports] of Object.entries(services)) {
    writeFileSync(join(root, name), ports.map((p) => `127.0.0.1 ${p}\n`).join(''))
  }
  return root
}

/**
 * A router config (ports filled in by `startRouter`) with one h2 router over `services`
 * (`/svc => /#/io.l5d.fs`) and `router`'s keys added to it (a `dtab`, `service`, `client`...).
 */
export function h2Config(
  dir: string,
  services: Services,
  router: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    namers: [{ kind: 'io.l5d.fs', rootDir: writeDisco(dir, services) }],
    routers: [
      {
        protocol: 'h2',
        identifier: SERVICE_IDENTIFIER,
        dtab: '/svc => /#/io.l5d.fs',
        ...router,
      },
    ],
  }
}

/** Starts the router over `services` (see `h2Config`); ready to route once this resolves. */
export function h2Router(
  t: ExecutionContext,
  services: Services,
  router: Record<string, unknown> = {},
): Promise<RunningRouter> {
  const dir = tempDir(t)
  return startRouter(t, dir, h2Config(dir, services, router))
}
