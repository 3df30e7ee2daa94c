/**
 * Set-ups for the router's resilience tests: N controllable backends (in-process, or processes
 * that can be SIGKILLed), the real router routing one service to all of them through an
 * io.l5d.fs directory, and a steady load through it whose failures are counted by method.
 * Everything started is stopped in `t.teardown`.
 *
 *   const backends = await backendProcesses(t, 3)
 *   const router = await routerOver(t, backends, { service: { responseClassifier: {...} } })
 *   const load = steadyLoad(t, router, 200)
 *   await backends[0].kill(); ...; const tally = await load.stop()
 *   t.is(tally.GET?.failed, 0)
 */
import type { ExecutionContext } from 'ava'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ControllableBackend } from '../backend/controllable.js'
import { BackendProcess } from '../backend/process.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { startSteadyLoad, type LoadTally, type MethodTally } from '../steady-load.js'
import { startRouter, tempDir, type RunningRouter } from './process.js'

/** The service the router routes to the backends (the Host the load sends). */
export const SERVICE = 'svc'

/** `n` in-process backends named b1..bn, in `ok` mode. */
export async function inProcessBackends(
  t: ExecutionContext,
  n: number,
): Promise<ControllableBackend[]> {
  const names = Array.from({ length: n }, (_, i) => `b${i + 1}`)
  const backends = await Promise.all(names.map((name) => ControllableBackend.start({ name })))
  t.teardown(() => Promise.all(backends.map((b) => b.close())))
  return backends
}

/** `n` backend processes named b1..bn, in `ok` mode; each can be killed and restarted. */
export async function backendProcesses(t: ExecutionContext, n: number): Promise<BackendProcess[]> {
  const names = Array.from({ length: n }, (_, i) => `b${i + 1}`)
  const backends = await Promise.all(names.map((name) => BackendProcess.start({ name })))
  t.teardown(() => Promise.all(backends.map((b) => b.stop())))
  return backends
}

/**
 * The real router with `/svc/svc` naming every backend (an io.l5d.fs entry) and `router`'s keys
 * added to its one HTTP router (`service:`, `client:`, ...), ready to route.
 */
export function routerOver(
  t: ExecutionContext,
  backends: readonly { readonly port: number }[],
  router: Record<string, unknown> = {},
): Promise<RunningRouter> {
  const dir = tempDir(t)
  const ports = backends.map((b) => b.port)
  return startRouter(t, dir, routingConfig(dir, SERVICE, ports, router))
}

/**
 * A router config (without admin and server ports) whose one HTTP router sends `/svc/<service>`
 * to every port in `ports`, through an io.l5d.fs directory written under `dir`; `router`'s keys
 * are added to that router.
 */
export function routingConfig(
  dir: string,
  service: string,
  ports: readonly number[],
  router: Record<string, unknown> = {},
): { namers: unknown[]; routers: Record<string, unknown>[] } {
  const disco = join(dir, 'disco')
  mkdirSync(disco, { recursive: true })
  writeFileSync(join(disco, service), ports.map((p) => `127.0.0.1 ${p}\n`).join(''))
  return {
    namers: [{ kind: 'io.l5d.fs', rootDir: disco }],
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs', ...router }],
  }
}

/** A load of `rate` req/s (GET and POST in turn) through the router until `stop()`. */
export function steadyLoad(
  t: ExecutionContext,
  router: RunningRouter,
  rate: number,
): { stop(): Promise<LoadTally> } {
  const load = startSteadyLoad({ port: router.port, host: SERVICE, rate })
  let stopped: Promise<LoadTally> | undefined
  const stop = (): Promise<LoadTally> => (stopped ??= load.stop())
  t.teardown(stop)
  return { stop }
}

/**
 * GETs only at `rate` req/s to `port` (Host `host`, default the service) for `ms`; what they saw.
 */
export async function getsFor(
  t: ExecutionContext,
  target: { readonly port: number; readonly host?: string },
  rate: number,
  ms: number,
): Promise<MethodTally> {
  const host = target.host ?? SERVICE
  const load = startSteadyLoad({ port: target.port, host, rate, methods: ['GET'] })
  t.teardown(() => load.stop())
  await sleep(ms)
  const gets = (await load.stop()).GET
  if (gets === undefined) throw new Error('no GETs sent')
  return gets
}

/**
 * The sum of the metrics (from `adminMetrics`) whose names match `pattern`, e.g. every client's
 * `retries/requeues` (the ids in the names depend on the binding).
 */
export function metricSum(metrics: Readonly<Record<string, number>>, pattern: RegExp): number {
  return Object.entries(metrics)
    .filter(([name]) => pattern.test(name))
    .reduce((n, [, v]) => n + v, 0)
}
