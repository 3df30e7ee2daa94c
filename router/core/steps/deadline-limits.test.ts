// Received deadlines at the edges (far future, beyond a timer's reach). Attack tests of issue 14.
import test from 'ava'
import { coreRouter, request } from '../../../testing/router/core.js'

const DTAB = '/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users-v1'

/** The `l5d-ctx-deadline` the endpoint got for a request carrying `received`. */
async function propagated(received: string): Promise<{ status: number; sent: string }> {
  const r = coreRouter(DTAB, () => ({ status: 200, body: 'ok' }))
  const answer = await r.call(request(['Host', 'users', 'l5d-ctx-deadline', received]))
  const headers = r.sent[0]?.request.headers ?? []
  const i = headers.findIndex((h, j) => j % 2 === 0 && h === 'l5d-ctx-deadline')
  return { status: answer.status, sent: i < 0 ? '(none)' : (headers[i + 1] as string) }
}

test.serial('a deadline 1e30 ns ahead is propagated as two decimal numbers', async (t) => {
  const { sent } = await propagated(`0 1${'0'.repeat(30)}`)
  t.regex(sent, /^\d+ \d+$/)
})

test.serial(
  'a deadline 30 days ahead arms no timer Node cannot keep (it would fire at once)',
  async (t) => {
    const warnings: string[] = []
    const onWarning = (w: Error): number => warnings.push(w.name)
    process.on('warning', onWarning)
    const ns = BigInt(Date.now() + 30 * 86_400_000) * 1_000_000n
    const { status } = await propagated(`0 ${ns}`)
    await new Promise((r) => setImmediate(r))
    process.off('warning', onWarning)
    t.is(status, 200)
    t.deepEqual(warnings, [])
  },
)
