/**
 * `startSteadyLoad` in a child process, for tests whose own process is busy (driving a browser,
 * say): a load sent from a starved event loop comes in bursts, and its rate over a second is
 * then anything but the rate asked for. Stopped at the test's end at the latest.
 */
import type { ExecutionContext } from 'ava'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { LoadTally, SteadyLoadOptions } from './steady-load.js'

const MAIN = fileURLToPath(new URL('./steady-load-main.js', import.meta.url))

/** Starts the load; `stop()` ends it and resolves with what its requests saw. */
export function steadyLoadProcess(
  t: ExecutionContext,
  options: SteadyLoadOptions,
): { stop(): Promise<LoadTally> } {
  const child = fork(MAIN, [JSON.stringify(options)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  let stopped: Promise<LoadTally> | undefined
  const stop = (): Promise<LoadTally> =>
    (stopped ??= new Promise((resolve, reject) => {
      child.once('message', (tally) => resolve(tally as LoadTally))
      child.once('exit', () => reject(new Error('the load process exited without its tally')))
      child.send('stop')
    }))
  t.teardown(async () => {
    if (child.exitCode === null) await stop().catch(() => child.kill())
  })
  return { stop }
}
