/**
 * Attacks on namerd's bearer tokens (issue 15), against the real namerd over raw sockets:
 * writes sent by odd paths, methods and `Authorization` headers must all be refused and change
 * nothing; a rotated token file that is emptied keeps the token in force; no token or key
 * material ever shows in what namerd writes or serves.
 */
import test, { type ExecutionContext } from 'ava'
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'

const TOKEN = 'attack-token-3e9c51d0'
const DTAB = '/svc => /#/io.l5d.fs'

/** One raw HTTP/1.1 exchange (the request written as given); the status line's code. */
function raw(api: string, request: string): Promise<number> {
  const { hostname, port } = new URL(api)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.end(request))
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (text += d))
    // A reset (after a 431, say) still has its status line, if any.
    socket.on('error', () => undefined)
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)))
  })
}

function write(method: string, path: string, headers: readonly string[] = []): string {
  const body = '/svc => /$/inet/127.0.0.1/1'
  const head = [
    `${method} ${path} HTTP/1.1`,
    'host: namerd',
    'content-type: application/dtab',
    `content-length: ${body.length}`,
    'connection: close',
    ...headers,
  ]
  return `${head.join('\r\n')}\r\n\r\n${body}`
}

/** A namerd whose writes need TOKEN, read from `tokenFile`. */
async function protectedNamerd(t: ExecutionContext) {
  const dir = tempDir(t)
  const tokenFile = join(dir, 'token')
  writeFileSync(tokenFile, `${TOKEN}\n`)
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: DTAB } },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: { tokenFile } } }],
  })
  return { n, tokenFile }
}

test('writes by odd paths, methods and Authorization headers are refused and change nothing', async (t) => {
  const { n } = await protectedNamerd(t)
  const attempts: Array<[string, string]> = [
    ['trailing slash', write('PUT', '/api/1/dtabs/default/')],
    ['double slash', write('PUT', '//api/1/dtabs/default')],
    ['encoded segment', write('PUT', '/api/1/dtabs/%64efault')],
    ['encoded slash', write('PUT', '/api/1/dtabs%2Fdefault')],
    ['dot segment', write('PUT', '/api/1/x/../dtabs/default')],
    ['absolute form', write('PUT', 'http://namerd/api/1/dtabs/default')],
    ['query', write('PUT', '/api/1/dtabs/default?x=1')],
    ['method override', write('POST', '/api/1/dtabs/default', ['x-http-method-override: GET'])],
    ['PATCH', write('PATCH', '/api/1/dtabs/default')],
    ['Basic', write('PUT', '/api/1/dtabs/default', [`authorization: Basic ${TOKEN}`])],
    ['token alone', write('PUT', '/api/1/dtabs/default', [`authorization: ${TOKEN}`])],
    [
      'Bearer twice',
      write('PUT', '/api/1/dtabs/default', [`authorization: Bearer x Bearer ${TOKEN}`]),
    ],
    [
      'prefix of the token',
      write('PUT', '/api/1/dtabs/default', [`authorization: Bearer ${TOKEN.slice(0, -1)}`]),
    ],
    [
      'wrong then right',
      write('PUT', '/api/1/dtabs/default', [
        'authorization: Bearer x',
        `authorization: Bearer ${TOKEN}`,
      ]),
    ],
    [
      'huge header',
      write('PUT', '/api/1/dtabs/default', [`authorization: Bearer ${'a'.repeat(70_000)}`]),
    ],
  ]
  for (const [what, request] of attempts) {
    const status = await raw(n.api, request)
    t.true(status === 0 || status >= 400, `${what}: ${status}`)
  }
  const after = await fetch(`${n.api}/api/1/dtabs/default`, {
    headers: { accept: 'application/dtab' },
  })
  t.is((await after.text()).replace(/\s/g, ''), DTAB.replace(/\s/g, ''), 'no attempt changed it')
  t.is(await (await fetch(`${n.api}/api/1/dtabs`)).text(), '["default"]\n', 'none made a namespace')
  // The scheme is case-insensitive (RFC 9110): lower case and extra spaces are the token too.
  const lower = write('PUT', '/api/1/dtabs/default', [`authorization: bearer   ${TOKEN}  `])
  t.is(await raw(n.api, lower), 204)
  t.false(n.output().includes(TOKEN), n.output())
})

test('a token file emptied by a rotation keeps the token in force, and logs it', async (t) => {
  const { n, tokenFile } = await protectedNamerd(t)
  writeFileSync(tokenFile, '')
  // The file is checked every 2 s (docs/security.md).
  await new Promise((res) => setTimeout(res, 5000))
  const put = (token: string): Promise<number> =>
    raw(n.api, write('PUT', '/api/1/dtabs/default', [`authorization: Bearer ${token}`]))
  t.is(await put(TOKEN), 204, 'the previous token stays in use')
  t.regex(n.output(), /token.*empty.*previous token stays in use/)
  writeFileSync(tokenFile, 'next-token-8a1f\n')
  await new Promise((res) => setTimeout(res, 5000))
  t.is(await put(TOKEN), 403, 'the old token is refused once the new one is read')
  t.is(await put('next-token-8a1f'), 204)
  t.false(n.output().includes(TOKEN) || n.output().includes('next-token-8a1f'), n.output())
})
