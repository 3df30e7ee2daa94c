/**
 * Runs the real HTTP/2 command-line clients the end-to-end tests use, `curl` (with
 * `--http2-prior-knowledge`) and `nghttp` (Debian's nghttp2-client), both installed by
 * scripts/install-test-deps.sh. A missing binary rejects (the test fails; it is not skipped).
 */
import { spawn } from 'node:child_process'

/** What a run printed (stdout as bytes: bodies are compared by hash) and its exit status. */
export interface CliRun {
  readonly status: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs `command ...args` to its end (killed after `killAfterMs` as a safety net). */
export function runCli(
  command: string,
  args: readonly string[],
  killAfterMs = 30_000,
): Promise<CliRun> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
  return new Promise((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new Error(`${command} is not installed: run scripts/install-test-deps.sh`)
          : e,
      ),
    )
    child.once('close', (status) => {
      clearTimeout(guard)
      resolve({ status, stdout: Buffer.concat(out), stderr })
    })
  })
}

/** `curl --http2-prior-knowledge -sS ...args`. */
export function curl(...args: string[]): Promise<CliRun> {
  return runCli('curl', ['--http2-prior-knowledge', '-sS', ...args])
}

/** `nghttp ...args` (h2c by prior knowledge for an http:// URI). */
export function nghttp(...args: string[]): Promise<CliRun> {
  return runCli('nghttp', args)
}

/**
 * The header fields of the trailers in `nghttp -v` output: the fields received after the last
 * DATA frame, in a HEADERS frame that ends the stream, as `name: value` lines.
 */
export function nghttpTrailers(verbose: string): string[] {
  const lines = verbose.split('\n')
  const lastData = lines.findLastIndex((l) => /recv DATA frame/.test(l))
  const after = lines.slice(lastData + 1)
  const end = after.findIndex((l) => /recv HEADERS frame/.test(l))
  if (end < 0 || !/END_STREAM/.test(after[end + 1] ?? '')) return []
  return after
    .slice(0, end)
    .map((l) => /recv \(stream_id=\d+\) (.*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
}
