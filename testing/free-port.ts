import { createServer } from 'node:net'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Test programs are given a port, released, and bind it a moment later. A port from the kernel's
 * ephemeral range can be taken in that moment by any outgoing connection or by another worker's
 * `listen(0)`; a program that then fails to bind its admin port looks "ready" when the other
 * process answers. So ports come from below that range, and each is claimed by a file that every
 * worker of every run sees, for `CLAIM_MS` (longer than any program takes to bind).
 */
const CLAIM_MS = 5 * 60_000
const LOWEST = 10_000
const claims = join(tmpdir(), 'l5d-test-ports')

/** The first port of the kernel's ephemeral range (32768 unless the machine says otherwise). */
function ephemeralStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    )
    return Number.isInteger(first) && first > 0 ? first : 32_768
  } catch {
    return 32_768
  }
}

const below = ephemeralStart()

/** Claims `port` for this caller: true unless another caller claimed it within `CLAIM_MS`. */
function claim(port: number): boolean {
  const file = join(claims, String(port))
  try {
    closeSync(openSync(file, 'wx'))
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  if (Date.now() - statSync(file).mtimeMs < CLAIM_MS) return false
  const now = new Date()
  utimesSync(file, now, now)
  return true
}

/** Resolves with `port` (the kernel's choice for 0) if it can be bound on loopback, else undefined. */
function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(undefined))
    s.listen(port, '127.0.0.1', () => {
      const bound = (s.address() as { port: number }).port
      s.close(() => resolve(bound))
    })
  })
}

/** Any free port, chosen by the kernel (for machines whose ephemeral range starts very low). */
async function kernelPort(): Promise<number> {
  const port = await bindable(0)
  if (port === undefined) throw new Error('no loopback port could be bound')
  return port
}

/** A free loopback TCP port: claimed, checked free, then released (for tests and benchmarks). */
export async function freePort(): Promise<number> {
  if (below - LOWEST < 1000) return kernelPort()
  mkdirSync(claims, { recursive: true })
  for (let tries = 0; tries < 1000; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (below - LOWEST))
    if (!claim(port)) continue
    if ((await bindable(port)) !== undefined) return port
  }
  throw new Error(`no free port found below ${below} after 1000 tries`)
}
