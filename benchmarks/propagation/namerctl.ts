/** Runs the real `namerctl` (bin/namerctl.js) as an operator would, one process per command. */
import { spawn } from 'node:child_process'
import { namerctlBin } from './fleet.js'

/** When a successful namerctl run was seen to finish (`performance.now()` values). */
export interface NamerctlTimes {
  /** Its first output reached us: it has had namerd's answer and printed it. */
  readonly printedAt: number
  /** It exited with status 0: the command has returned (the propagation clock starts here). */
  readonly exitedAt: number
}

/**
 * Runs `namerctl --base-url API ...args`; resolves with the times above once it exits with
 * status 0; rejects with its stderr otherwise.
 */
export function namerctl(api: string, args: readonly string[]): Promise<NamerctlTimes> {
  const child = spawn(process.execPath, [namerctlBin, '--base-url', api, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let printedAt = Number.NaN
  let stderr = ''
  child.stdout.on('data', () => {
    if (Number.isNaN(printedAt)) printedAt = performance.now()
  })
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  let exitedAt = Number.NaN
  // 'exit' is the moment the process ended; 'close' comes once its pipes are drained too (its
  // output can be read after 'exit').
  child.once('exit', () => (exitedAt = performance.now()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (code === 0) {
        const printed = Number.isNaN(printedAt) ? exitedAt : Math.min(printedAt, exitedAt)
        resolve({ printedAt: printed, exitedAt })
      } else reject(new Error(`namerctl ${args.join(' ')}: ${code ?? signal}: ${stderr.trim()}`))
    })
  })
}
