/**
 * The controllable backend (`controllable.ts`) as its own process, so that a test or benchmark
 * can SIGKILL it and start it again on the same port. Forked by `process.ts`:
 *
 *   node dist/testing/backend/main.js [--port P] [--name N] [--mode '{"kind":"delay","ms":50}']
 *
 * Once listening it sends `{ port }` over IPC. Each message `{ id, mode? }` received sets the
 * mode when given, and is answered with `{ id, counts }` once done. It exits when the IPC channel
 * closes (its parent went away, even killed).
 */
import { parseArgs } from 'node:util'
import { ControllableBackend, type Mode } from './controllable.js'

/** A control message and its answer (see the header). */
export interface Control {
  readonly id: number
  readonly mode?: Mode
}

const { values } = parseArgs({
  options: { port: { type: 'string' }, name: { type: 'string' }, mode: { type: 'string' } },
})
const backend = await ControllableBackend.start({
  port: values.port === undefined ? 0 : Number(values.port),
  ...(values.name === undefined ? {} : { name: values.name }),
  ...(values.mode === undefined ? {} : { mode: JSON.parse(values.mode) as Mode }),
})
process.on('message', (m: Control) => {
  void (async () => {
    if (m.mode !== undefined) await backend.setMode(m.mode)
    process.send?.({ id: m.id, counts: backend.counts() })
  })()
})
process.on('disconnect', () => process.exit(0))
process.send?.({ port: backend.port })
