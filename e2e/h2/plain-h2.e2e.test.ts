// Plain HTTP/2 through the real router (protocol h2) with the real command-line clients, curl
// --http2-prior-knowledge and nghttp, to a node:http2 backend: trailers forwarded, HEAD, 204,
// 32 MiB bodies each way compared by hash, and slow readers (a paused stream holds the backend
// back through the router, whose memory stays bounded; a rate-limited curl gets the whole body).
import test from 'ava'
import { connect } from 'node:http2'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { rssMB } from '../../testing/bind-attack.js'
import { pattern, sha256 } from '../../testing/grpc/echo-service.js'
import { h2Router } from '../../testing/grpc/router.js'
import { curl, nghttp, nghttpTrailers } from '../../testing/h2/cli.js'
import { PlainH2Backend } from '../../testing/h2/plain-backend.js'
import { Cleanups } from '../../testing/namerctl/setup.js'
import { tempDir, type RunningRouter } from '../../testing/router/process.js'

const MiB = 1024 * 1024
const cleanups = new Cleanups()
let backend: PlainH2Backend
let router: RunningRouter
let base: string

test.before(async () => {
  backend = await PlainH2Backend.start()
  cleanups.add(() => backend.close())
  router = await h2Router(cleanups.context, { plain: [backend.port] })
  base = `http://127.0.0.1:${router.port}/plain`
})
test.after.always(() => cleanups.run())

test.serial('trailers are forwarded: nghttp shows them after the body, curl too', async (t) => {
  const run = await nghttp('-v', `${base}/trailers`)
  const out = run.stdout.toString()
  t.is(run.status, 0, `${out}${run.stderr}`)
  t.deepEqual(nghttpTrailers(out), [`x-checksum: ${sha256(Buffer.from('hello'))}`, 'x-end: yes'])
  const viaCurl = await curl('-i', `${base}/trailers`)
  t.is(viaCurl.status, 0, viaCurl.stderr)
  t.regex(viaCurl.stdout.toString(), /^HTTP\/2 200[\s\S]*\r\n\r\nhello[\s\S]*x-end: yes/)
})

test.serial('HEAD: the head alone, with its content-length', async (t) => {
  const run = await curl('-I', `${base}/bytes/1000`)
  t.is(run.status, 0, run.stderr)
  t.regex(run.stdout.toString(), /^HTTP\/2 200 *\r\n/)
  t.regex(run.stdout.toString(), /\r\ncontent-length: 1000\r\n/)
  const verbose = await nghttp('-v', '-H', ':method: HEAD', `${base}/bytes/1000`)
  const out = verbose.stdout.toString()
  t.is(verbose.status, 0, out)
  t.regex(out, /recv \(stream_id=\d+\) :status: 200/)
  t.notRegex(out, /recv DATA frame/)
})

test.serial('204: no body, the stream ends with its head', async (t) => {
  const run = await curl('-o', '/dev/null', '-w', '%{http_code} %{size_download}', `${base}/empty`)
  t.is(run.status, 0, run.stderr)
  t.is(run.stdout.toString(), '204 0')
  const out = (await nghttp('-v', `${base}/empty`)).stdout.toString()
  // The head's fields, then the HEADERS frame that carried them, ending the stream.
  t.regex(
    out,
    /:status: 204\n(?:.* recv \(stream_id=\d+\) .*\n)*.* recv HEADERS frame.*\n\s*; END_STREAM/,
  )
})

const LARGE = 32 * MiB

test.serial('32 MiB down through curl and nghttp, compared by hash', async (t) => {
  const expected = sha256(pattern(LARGE))
  for (const run of [
    await curl(`${base}/bytes/${LARGE}`),
    await nghttp(`${base}/bytes/${LARGE}`),
  ]) {
    t.is(run.status, 0, run.stderr)
    t.is(run.stdout.length, LARGE)
    t.is(sha256(run.stdout), expected)
  }
})

test.serial('32 MiB up through curl and nghttp, compared by hash', async (t) => {
  const file = join(tempDir(t), 'body')
  writeFileSync(file, pattern(LARGE))
  const expected = { bytes: LARGE, sha256: sha256(pattern(LARGE)) }
  const viaCurl = await curl('--data-binary', `@${file}`, `${base}/upload`)
  const viaNghttp = await nghttp('-d', file, `${base}/upload`)
  for (const run of [viaCurl, viaNghttp]) {
    t.is(run.status, 0, run.stderr)
    t.deepEqual(JSON.parse(run.stdout.toString()), expected)
  }
})

test.serial(
  'a reader that stops: the backend is held back through the router, whose memory stays bounded; the body then arrives whole',
  async (t) => {
    const size = 64 * MiB
    const pid = router.child.pid as number
    const session = connect(`http://127.0.0.1:${router.port}`)
    t.teardown(() => session.close())
    const rssBefore = rssMB(pid)
    const sentBefore = backend.sent
    const req = session.request({ ':path': `/plain/bytes/${size}` })
    req.pause()
    const status = await new Promise<number>((resolve) =>
      req.once('response', (h) => resolve(Number(h[':status']))),
    )
    t.is(status, 200)
    // How long the reader sleeps is a duration of the scenario, not a bound on anything.
    await sleep(2000)
    const sentWhilePaused = backend.sent - sentBefore
    const grownMB = rssMB(pid) - rssBefore
    t.log(
      `while paused: the backend wrote ${(sentWhilePaused / MiB).toFixed(2)} MiB; the router grew ${grownMB.toFixed(1)} MB`,
    )
    t.true(
      sentWhilePaused < 8 * MiB,
      `the backend wrote ${sentWhilePaused} bytes to a reader that reads nothing`,
    )
    t.true(grownMB < 32, `the router's RSS grew by ${grownMB} MB`)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.resume()
    await new Promise((resolve) => req.once('end', resolve))
    const body = Buffer.concat(chunks)
    t.is(body.length, size)
    t.is(sha256(body), sha256(pattern(size)))
  },
)

test.serial('a rate-limited curl gets the whole body', async (t) => {
  const size = 4 * MiB
  const run = await curl('--limit-rate', '2M', `${base}/bytes/${size}`)
  t.is(run.status, 0, run.stderr)
  t.is(sha256(run.stdout), sha256(pattern(size)))
})
