/**
 * linkerd's servicemesh example through the real pieces: an io.l5d.fs file written in
 * linkerd's `127.1` style, bound by the default interpreter, filtered by `io.l5d.localhost`.
 * The endpoint is on this host, so it must survive the filter (it used to be compared as text
 * with 127.0.0.1, and every request got a 502).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { EMPTY_DTAB, readDtab, readPath, showPath } from '../../dtabs/index.js'
import { FsNamer } from '../../namers/fs/namer.js'
import { globalNamer } from '../../namers/global.js'
import { parseInterpreter } from '../interpreters/index.js'

function servicemeshIncoming(files: Record<string, string>, interfaceAddresses?: string[]) {
  const rootDir = mkdtempSync(join(tmpdir(), 'fs-localhost-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(rootDir, name), text)
  const fs = new FsNamer({ rootDir, prefix: ['#', 'io.l5d.fs'] })
  const interp = parseInterpreter(
    { kind: 'default', transformers: [{ kind: 'io.l5d.localhost' }] },
    'routers[1].interpreter',
  ).make({
    namers: [
      { prefix: ['#', 'io.l5d.fs'], namer: fs },
      { prefix: ['$'], namer: globalNamer() },
    ],
    dtab: readDtab('/svc => /#/io.l5d.fs'),
    ...(interfaceAddresses === undefined ? {} : { interfaceAddresses }),
  })
  const close = () => {
    interp.close()
    fs.close()
    rmSync(rootDir, { recursive: true, force: true })
  }
  return { interp, close }
}

function endpoints(interp: ReturnType<typeof servicemeshIncoming>['interp'], path: string) {
  const state = interp.bind(EMPTY_DTAB, readPath(path)).get()
  if (state.type !== 'ok' || state.value.type !== 'leaf') return { id: '', addr: state.type }
  const { bound } = state.value.value
  const addr = bound.addr.get()
  const shown =
    addr.type === 'bound' ? addr.addrs.map((a) => `${a.host}:${a.port}`).join(' ') : addr.type
  return { id: showPath(bound.id), addr: shown }
}

test('io.l5d.localhost keeps an fs endpoint written 127.1 (linkerd servicemesh example)', (t) => {
  const { interp, close } = servicemeshIncoming({ cat: '127.1 8888\n' })
  t.teardown(close)
  t.deepEqual(endpoints(interp, '/svc/cat'), {
    id: '/%/io.l5d.localhost/#/io.l5d.fs/cat',
    addr: '127.0.0.1:8888',
  })
})

test('io.l5d.localhost keeps other spellings of loopback, drops other hosts', (t) => {
  const { interp, close } = servicemeshIncoming(
    {
      bare: '2130706433 8001\n', // 127.0.0.1 as one 32-bit number
      three: '127.0.1 8002\n',
      v6: '0:0:0:0:0:0:0:1 8003\n192.0.2.1 8004\n',
    },
    ['127.0.0.1', '::1'],
  )
  t.teardown(close)
  t.is(endpoints(interp, '/svc/bare').addr, '127.0.0.1:8001')
  t.is(endpoints(interp, '/svc/three').addr, '127.0.0.1:8002')
  t.is(endpoints(interp, '/svc/v6').addr, '::1:8003')
})
