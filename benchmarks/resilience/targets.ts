/**
 * The three things the resilience benchmark sends its load through, each in front of the same
 * three backends: nginx with passive health checks and retries to the next upstream, the router
 * with its default config, and the router retrying 5xx answers of read requests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoPath } from '../../testing/paths.js'
import { routingConfig } from '../../testing/router/resilience.js'
import { freePort, spawnServer, type Proc } from '../proxy/procs.js'
import { startNginxProxy } from '../proxy/targets.js'

/** The service name the load asks for (its Host header). */
export const SERVICE = 'bench'

/** nginx's failure policy, printed with the results. */
export const NGINX_POLICY =
  'max_fails=2 fail_timeout=2s, proxy_next_upstream error timeout http_502 http_503 (without non_idempotent: nginx passes a POST to another server only if it was never sent)'

/**
 * nginx, one worker (the failure counts of `max_fails` are per worker), keep-alive to the
 * upstreams as in the proxy benchmark; nginx's default of not retrying non-idempotent requests
 * is kept on purpose.
 */
export function startNginx(backendPorts: readonly number[]): Promise<Proc> {
  const servers = backendPorts.map((p) => `server 127.0.0.1:${p} max_fails=2 fail_timeout=2s;`)
  const upstream = `${servers.join(' ')} keepalive 32;`
  const location = 'proxy_next_upstream error timeout http_502 http_503;'
  return startNginxProxy('nginx', 1, upstream, location)
}

/**
 * The real `router` program: `/svc/bench` names an io.l5d.fs entry listing the three backends;
 * `router` holds the extra keys of the router (e.g. `service:`), none for the default config.
 */
export async function startRouter(
  name: string,
  backendPorts: readonly number[],
  router: Record<string, unknown> = {},
): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-resilience-'))
  const port = await freePort()
  const { namers, routers } = routingConfig(dir, SERVICE, backendPorts, router)
  const servers = [{ port }]
  const config = {
    admin: { port: await freePort() },
    namers,
    routers: routers.map((r) => ({ ...r, servers })),
  }
  const file = join(dir, 'router.json')
  writeFileSync(file, JSON.stringify(config))
  return spawnServer(name, repoPath('bin/router.js'), [file], port)
}
