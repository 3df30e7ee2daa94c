import test from 'ava'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { freePort } from './free-port.js'

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
)

// 200 random picks from ~22,000 ports collide more often than not: the claims prevent it.
test('ports handed out are distinct, below the ephemeral range, and can be bound', async (t) => {
  const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()))
  t.is(new Set(ports).size, ports.length)
  for (const port of ports) t.true(port < ephemeralStart, `${port}`)
  const first = ports[0] ?? 0
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(first, '127.0.0.1', resolve))
  t.is((server.address() as { port: number }).port, first)
  await new Promise((resolve) => server.close(resolve))
})
