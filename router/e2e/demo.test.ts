import test from 'ava'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const demo = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url))

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as { port: number }
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

test("the README's demo walks the canary through the router with no failed request", async (t) => {
  t.timeout(90_000)
  const env = {
    ...process.env,
    DEMO_ROUTER_PORT: String(await freePort()),
    DEMO_ADMIN_PORT: String(await freePort()),
  }
  const child = spawn(process.execPath, [demo, '--once'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise((resolve) => child.once('exit', resolve))
  t.is(code, 0, out)
  const steps = [...out.matchAll(/canary +(\d+)% .*v1 +([\d.]+)% +v2 +([\d.]+)% .*errors: (\d+)/g)]
  t.deepEqual(
    steps.map((m) => m[1]),
    ['1', '10', '50', '100'],
    out,
  )
  for (const m of steps) {
    t.is(m[4], '0', `no errors at ${m[1]}%`)
    t.true(Math.abs(Number(m[3]) - Number(m[1])) <= 3.5, `v2 share ${m[3]}% at a ${m[1]}% canary`)
  }
  t.regex(out, /bound \/#\/io\.l5d\.fs\/users-v2: 127\.0\.0\.1:\d+/)
})
