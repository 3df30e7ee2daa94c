/**
 * The Echo backend (echo-backend.ts) as its own process, so that a test can SIGKILL it and start
 * it again on the same port. Forked by echo-process.ts:
 *
 *   node dist/testing/grpc/echo-main.js --name NAME [--port PORT]
 *
 * Once listening it sends `{ port }` over IPC; each message `{ id }` is answered with
 * `{ id, counts }`. It exits when the IPC channel closes (its parent went away, even killed).
 */
import { parseArgs } from 'node:util'
import { EchoBackend } from './echo-backend.js'

const { values } = parseArgs({ options: { port: { type: 'string' }, name: { type: 'string' } } })
const backend = await EchoBackend.start(values.name ?? 'echo', Number(values.port ?? 0))
process.on('message', (m: { id: number }) => process.send?.({ id: m.id, counts: backend.counts() }))
process.on('disconnect', () => process.exit(0))
process.send?.({ port: backend.port })
