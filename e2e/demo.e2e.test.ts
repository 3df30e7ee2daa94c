/**
 * The README's first command, end to end: `scripts/demo.mjs --once` on free ports starts the real
 * namerd, router and namerctl, walks the canary through namerd, explains the result online, and
 * leaves nothing behind.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { repoPath } from '../testing/paths.js'
import { freePort } from '../testing/free-port.js'

const demo = repoPath('scripts/demo.mjs')

/** `n` distinct free loopback ports. */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < n) ports.add(await freePort())
  return [...ports]
}

/** Whether 127.0.0.1:`port` can be listened on (nothing holds it). */
function canListen(port: number): Promise<boolean> {
  const s = createServer()
  return new Promise((resolve) => {
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** Runs the demo with `--once`; its exit code and everything it wrote. */
async function runDemo(
  t: import('ava').ExecutionContext,
  ports: number[],
): Promise<{ code: number | null; out: string }> {
  const [router, admin, namerd, namerdAdmin] = ports.map(String)
  const child = spawn(process.execPath, [demo, '--once'], {
    env: {
      ...process.env,
      DEMO_ROUTER_PORT: router,
      DEMO_ADMIN_PORT: admin,
      DEMO_NAMERD_PORT: namerd,
      DEMO_NAMERD_ADMIN_PORT: namerdAdmin,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // If the test times out, SIGTERM makes the demo stop its own children before it exits.
  t.teardown(() => void child.kill('SIGTERM'))
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, out }
}

test("the README's demo walks the canary through namerd with no failed request, then a shift to a broken v3 rolls itself back", async (t) => {
  t.timeout(240_000)
  const ports = await freePorts(4)
  const { code, out } = await runDemo(t, ports)
  t.is(code, 0, out)
  t.false(out.includes('\x1b'), 'no escape codes when stdout is not a terminal')

  const steps = [
    ...out.matchAll(
      /^canary +(\d+)% +(\d+) requests: v1 +([\d.]+)% +v2 +([\d.]+)% .*errors: (\d+)$/gm,
    ),
  ]
  t.deepEqual(
    steps.map((m) => m[1]),
    ['0', '10', '50', '100'],
    out,
  )
  for (const [, percent, n, , v2, errors] of steps) {
    t.is(errors, '0', `no errors at ${percent}%`)
    t.true(Number(n) > 0, `requests measured at ${percent}%`)
    t.true(Math.abs(Number(v2) - Number(percent)) <= 3.5, `v2 share ${v2}% at a ${percent}% canary`)
  }
  t.regex(out, /^ {2}live \(canary {2}10%\): [\d.]+% v2 over the last \d+ answers/m)

  // namerctl's commands, as a shell shows them, each with its output, in order.
  const commands = [
    /^\$ namerctl dtab create shop shop\.dtab\nCreated shop$/m,
    /^\$ namerctl dtab get shop\n# version \S+\n/m,
    /^\$ namerctl dtab set shop \/svc\/users '90 \* \/srv\/users-v1 & 10 \* \/srv\/users-v2'\n(?: {2}live.*\n)*Updated shop: /m,
    /^\$ namerctl dtab set shop \/svc\/users '50 \* \/srv\/users-v1 & 50 \* \/srv\/users-v2'\n(?: {2}live.*\n)*Updated shop: /m,
    /^\$ namerctl dtab set shop \/svc\/users \/srv\/users-v2\n(?: {2}live.*\n)*Updated shop: /m,
    /^A canary that rolls itself back: /m,
    /^\$ namerctl dtab shift shop \/svc\/users --to \/srv\/users-v3 .*--admin http:\/\/127\.0\.0\.1:\d+\n/m,
    /^step 1 of 3: 10% to the canary/m,
    /^rolled back at 10% \(step 1\): success [\d.]+% is below 99%/m,
    /^\$ namerctl dtab history shop -n 3\n(?: {2}live.*\n)*version \S+ {2}\S+\n {4}shift \/svc\/users to \/srv\/users-v3: rolled back: success/m,
    /^How it works, online: /m,
    /^\$ namerctl dtab delegate shop \/svc\/users\n[^$]*bound \/#\/io\.l5d\.fs\/users-v2: 127\.0\.0\.1:\d+/m,
    /^\$ namerctl dtab bind shop \/svc\/users\n\/svc\/users\n {2}bound \/#\/io\.l5d\.fs\/users-v2: 127\.0\.0\.1:\d+/m,
  ]
  const at = commands.map((re) => out.search(re))
  t.false(at.includes(-1), `every namerctl command and its output shown:\n${out}`)
  t.deepEqual(
    at,
    [...at].sort((a, b) => a - b),
    'in the order they ran',
  )

  // Nothing left behind: every port free again, the temp dir gone.
  for (const port of ports) t.true(await canListen(port), `port ${port} is free again`)
  const work = /dtabs in (\S+)\/namerd\/dtabs\.json/.exec(out)?.[1]
  t.truthy(work, out)
  t.false(existsSync(work ?? ''), `${work} removed`)
})

test('the demo needs only runtime dependencies (it runs after npm ci --omit=dev and a build)', (t) => {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  const files = [
    demo,
    ...readdirSync(repoPath('scripts/demo')).map((f) => repoPath('scripts/demo', f)),
  ]
  const imported = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^import .* from '([^']+)'/gm)].map(
      (m) => m[1] as string,
    ),
  )
  t.true(imported.includes('node:http'), 'the imports were found')
  const packages = imported.filter((s) => !s.startsWith('node:') && !s.startsWith('.'))
  for (const name of packages) t.true(name in pkg.dependencies, `${name} is a runtime dependency`)
})
