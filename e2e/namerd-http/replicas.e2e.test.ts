/**
 * `dst` as a path bound through the router's namers (`/#/io.l5d.fs/namerd` listing two namerd
 * replicas on one store): streams spread over the replicas, and when one dies its streams move
 * to the other, so names keep following changes and new names still bind.
 */
import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EMPTY_DTAB, readDtab, readPath } from '../../dtabs/index.js'
import { FsNamer } from '../../namers/fs/namer.js'
import { startApi } from '../../namerd/api/server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'
import { eventually } from '../../testing/eventually.js'
import { stalledReason } from '../../router/model.js'
import { until } from '../../testing/router/interpreters.js'
import { NamerdInterpreter } from '../../router/interpreters/namerd-http/interpreter.js'
import { NamerdAddress } from '../../router/interpreters/namerd-http/namerd-address.js'
import { inet } from '../../testing/namerd/in-process.js'

const SLOW = 10_000

/** An interpreter whose dst is `/#/io.l5d.fs/namerd`, read from `dir` by a real fs namer. */
function overReplicas(t: ExecutionContext, dir: string): NamerdInterpreter {
  const fs = new FsNamer({ rootDir: dir, prefix: ['#', 'io.l5d.fs'], pollMs: 50 })
  t.teardown(() => fs.close())
  const address = new NamerdAddress(readPath('/#/io.l5d.fs/namerd'), [
    { prefix: ['#', 'io.l5d.fs'], namer: fs },
  ])
  const interp = new NamerdInterpreter({
    base: 'http://namerd',
    address,
    namespace: 'default',
    retry: { baseMs: 20, maxMs: 100 },
    lingerMs: 10_000,
    log: () => undefined,
    onReconnect: () => undefined,
    onUpdate: () => undefined,
  })
  t.teardown(() => interp.close())
  return interp
}

/** A temp dir removed after the test. */
function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'namerd-replicas-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('two replicas behind /#/io.l5d.fs/namerd: spread, fail over, keep following', async (t) => {
  const cx = memoryContext({ default: `/svc => ${inet(9001)}` })
  const one = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  const two = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  t.teardown(() => Promise.all([one.close(), two.close()]))
  const dir = tempDir(t)
  writeFileSync(join(dir, 'namerd'), `127.0.0.1 ${one.port}\n127.0.0.1 ${two.port}\n`)
  const interp = overReplicas(t, dir)

  const bind = (name: string) => {
    const b = interp.bind(EMPTY_DTAB, readPath(name))
    t.teardown(b.subscribe(() => undefined))
    return b
  }
  const a = bind('/svc/a')
  const b = bind('/svc/b')
  await until(a, `ok ${inet(9001)}`, SLOW)
  await until(b, `ok ${inet(9001)}`, SLOW)
  t.like(interp.state(), {
    namerd: '/#/io.l5d.fs/namerd',
    replicas: [`http://127.0.0.1:${one.port}`, `http://127.0.0.1:${two.port}`],
  })
  const hosts = () => new Set(interp.state().streams.map((s) => s.host))
  t.is(hosts().size, 2, 'the dtab, /svc/a and /svc/b streams use both replicas')

  await one.close()
  await eventually('every stream on replica two', () => {
    const s = interp.state().streams
    return s.every((x) => x.state === 'open' && x.host === `127.0.0.1:${two.port}`)
  })
  await cx.store.put('default', readDtab(`/svc => ${inet(9002)}`))
  await until(a, `ok ${inet(9002)}`, SLOW)
  await until(b, `ok ${inet(9002)}`, SLOW)
  await until(bind('/svc/new'), `ok ${inet(9002)}`, SLOW)
})

test('no replica known: a clear reason, and streams start once the namer lists one', async (t) => {
  const cx = memoryContext({ default: `/svc => ${inet(9001)}` })
  const api = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  t.teardown(() => api.close())
  const dir = tempDir(t)
  const interp = overReplicas(t, dir)
  const a = interp.bind(EMPTY_DTAB, readPath('/svc/a'))
  t.teardown(a.subscribe(() => undefined))
  await eventually('a failed attempt', () => stalledReason(a, '/svc/a') !== undefined)
  t.regex(
    stalledReason(a, '/svc/a')?.message ?? '',
    /no address for namerd's dst \/#\/io\.l5d\.fs\/namerd \(neg\)/,
  )
  writeFileSync(join(dir, 'namerd'), `127.0.0.1 ${api.port}\n`)
  await until(a, `ok ${inet(9001)}`, SLOW)
})
