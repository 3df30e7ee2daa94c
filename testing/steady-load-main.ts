/**
 * A steady load in its own process (steady-load-process.ts forks this): the options come as
 * JSON in argv[2]; `stop` over IPC ends it and the tally comes back; it exits when the channel
 * closes (its parent went away).
 */
import { startSteadyLoad, type SteadyLoadOptions } from './steady-load.js'

const load = startSteadyLoad(JSON.parse(process.argv[2] ?? '{}') as SteadyLoadOptions)
process.on('message', (m) => {
  if (m !== 'stop') return
  void load.stop().then((tally) => process.send?.(tally, () => process.disconnect()))
})
process.on('disconnect', () => process.exit(0))
