// The demo's HTTP client, on node:http alone: the demo runs with the runtime dependencies only
// (`npm ci --omit=dev` and a build), so it cannot use undici, a dev dependency.
import http from 'node:http'

/**
 * GET `url` (through `agent` when given, for keep-alive connections); resolves with the status,
 * the headers and the body as text. Rejects on a connection error, on a connection closed before
 * the whole answer, or when no answer comes within `ms`.
 */
export function get(url, { agent, headers, ms = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers, timeout: ms }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }))
      res.on('close', () => {
        if (!res.complete) reject(new Error('the connection closed before the whole answer'))
      })
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ms} ms`)))
    req.on('error', reject)
  })
}
