// The demo's child processes (namerd, the router, namerctl) and the promise that none is left
// behind: each long-running child logs to a file in the demo's temp dir (shown when it dies
// early), an unexpected exit calls `onEarlyExit`, and `stopAll` ends them all and waits.
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { clearTimeout } from 'node:timers'
import { get } from './http.mjs'

/** @type {Set<import('node:child_process').ChildProcess>} every child still running */
const running = new Set()
let stopping = false

// Last resort (an exception that skipped the orderly stop): no child may outlive the demo.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Fails with a message naming the port and its variable when something already listens on
 * 127.0.0.1:`port` (the children would fail later with a less helpful log line).
 */
export async function checkPortFree(port, what, envVar) {
  const s = createServer()
  await new Promise((resolve, reject) => {
    s.once('error', (e) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${port} (${what}) is already in use: stop what listens there, or set ${envVar} to a free port`
            : `cannot listen on port ${port} (${what}, ${envVar}): ${e.message}`,
        ),
      ),
    )
    s.listen(port, '127.0.0.1', resolve)
  })
  await new Promise((resolve) => s.close(resolve))
}

/**
 * Starts `node <bin> ...args` with its stdout and stderr in `logFile`, in its own process group
 * (a Ctrl-C in the terminal reaches the demo only, which then stops the children in order).
 * `onEarlyExit(name, code, output)` is called if it exits before `stopAll`.
 */
export function startChild(name, bin, args, logFile, onEarlyExit) {
  const fd = openSync(logFile, 'a')
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', fd, fd],
    detached: true,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  })
  closeSync(fd)
  running.add(child)
  child.once('exit', (code, signal) => {
    running.delete(child)
    if (!stopping) onEarlyExit(name, code ?? signal, readFileSync(logFile, 'utf8'))
  })
  return child
}

/** Polls `url` until it answers 200, failing after `ms` (or as soon as `child` has exited). */
export async function waitReady(name, child, url, ms = 60_000) {
  const deadline = Date.now() + ms
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited`)
    const ok = await get(url).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) return
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${ms / 1000} s`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Runs a short-lived command to completion without blocking the event loop (the load and the
 * live display keep running meanwhile). Resolves with its exit code and output; kills it after
 * `ms`.
 */
export function runChild(bin, args, { cwd, env, ms = 30_000 }) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      resolve({ code: code ?? signal, stdout, stderr })
    })
  })
}

/** SIGTERM to every child (graceful shutdown), SIGKILL after `graceMs`; resolves once all exited. */
export async function stopAll(graceMs = 5000) {
  stopping = true
  const children = [...running]
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', resolve)
          child.kill('SIGTERM')
          setTimeout(() => child.kill('SIGKILL'), graceMs).unref()
        }),
    ),
  )
}
