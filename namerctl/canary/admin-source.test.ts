/**
 * adminSource's arithmetic over a router's successive clients.json documents, served over HTTP by
 * a stand-in admin (the canary-figures e2e reads real routers): a router with `--workers` whose
 * worker restarted in the interval, and one without.
 */
import test, { type ExecutionContext } from 'ava'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { adminSource } from './admin-source.js'

/** clients.json with one client that ended `success + failures` requests, all under 1 ms. */
function clientsJson(success: number, failures: number, workers?: number): object {
  const client = { router: 'http', client: '$/inet/127.0.0.1/1', success, failures }
  const doc = { clients: [{ ...client, latencyBuckets: [[1, success + failures]] }] }
  return workers === undefined
    ? doc
    : { ...doc, workers: { reporting: workers, configured: workers } }
}

/** An admin answering each read with the next of `docs` (the last one again at the end). */
async function admin(t: ExecutionContext, docs: object[]): Promise<string> {
  let next = 0
  const server = createServer((_req, res) => {
    const doc = docs[Math.min(next++, docs.length - 1)]
    res.setHeader('content-type', 'application/json').end(JSON.stringify(doc))
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  t.teardown(() => void server.close())
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function reads(t: ExecutionContext, docs: object[]): Promise<number[]> {
  const source = adminSource([await admin(t, docs)])
  t.teardown(() => source.close())
  const interval = await source.open(['$/inet/127.0.0.1/1'])
  const requests: number[] = []
  for (let i = 1; i < docs.length; i++) requests.push((await interval.read()).requests)
  return requests
}

test('--workers: a worker restarted in the interval; counted from the read that saw it', async (t) => {
  // 1000 at the opening; a worker that had served 600 restarts; then 50 more.
  const docs = [clientsJson(990, 10, 2), clientsJson(415, 5, 2), clientsJson(463, 7, 2)]
  t.deepEqual(await reads(t, docs), [0, 50], 'never the other worker’s whole history (420)')
})

test('one process restarted in the interval: what it served since counts', async (t) => {
  const docs = [clientsJson(990, 10), clientsJson(3, 1), clientsJson(13, 1)]
  t.deepEqual(await reads(t, docs), [4, 14])
})
