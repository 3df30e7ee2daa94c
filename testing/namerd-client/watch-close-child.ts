/**
 * A child process for the close() tests (watch-close.test.ts): opens a `NamerdWatch` on
 * argv[2], closes it in argv[3] (`connecting`: 100 ms after the start; `open`, `retrying`: on
 * entering that state), prints the events it saw as JSON, and must then exit by itself. Retry
 * waits and the dead-connection deadline are 60 s, so a timer or socket left behind by close()
 * keeps the process alive long enough for the test to notice.
 */
import { NamerdWatch } from '../../lib/namerd-client/index.js'

const [url = '', when = ''] = process.argv.slice(2)
const seen: string[] = []
const watch = new NamerdWatch({
  url,
  retry: { baseMs: 60_000, maxMs: 60_000 },
  random: () => 1,
  deadAfterMs: 60_000,
  onValue: () => seen.push('value'),
  onState: (s) => {
    seen.push(s.state)
    if (s.state === when) watch.close()
  },
})
if (when === 'connecting') setTimeout(() => watch.close(), 100)
process.on('exit', () => process.stdout.write(JSON.stringify(seen)))
