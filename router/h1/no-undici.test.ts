/**
 * The router's HTTP/1.1 transport never loads undici, on any supported Node: Node 26 loads it
 * for a process that merely imports node:http as an ES module (lib/node-http.ts says why and
 * what it costs), so the transport takes node:http through lib/node-http.ts.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

test('importing the HTTP/1.1 transport and the routing core loads no undici', async (t) => {
  const modules = ['./listener.js', './pools.js', '../core/router.js'].map((m) =>
    fileURLToPath(new URL(m, import.meta.url)),
  )
  const script = `
    for (const m of ${JSON.stringify(modules)}) await import(m)
    console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))))`
  const run = promisify(execFile)
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script])
  t.deepEqual(JSON.parse(stdout), [])
})
