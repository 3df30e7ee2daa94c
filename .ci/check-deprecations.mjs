// Reads the deprecation log of one test run (written by .ci/record-deprecations.cjs) and fails
// the run unless (1) the canary warning .ci/run emits first, from a worker thread, is there:
// the recorder works on this Node, where ava runs the tests; and (2) every other warning is
// allowed below. Usage: node .ci/check-deprecations.mjs LOG
import { readFileSync } from 'node:fs'

const CANARY = 'CI_DEPRECATION_CANARY'
/**
 * Deprecations we cannot fix (in a dependency), each allowed only for its code, coming from
 * that dependency's files; the README says which and why. None so far.
 * @type {{ code: string, from: string }[]}
 */
const ALLOWED = []

const entries = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line))
const allowed = (e) =>
  ALLOWED.some((a) => a.code === e.code && e.where.some((w) => w.includes(a.from)))
const unexpected = entries.filter((e) => e.code !== CANARY && !allowed(e))

if (!entries.some((e) => e.code === CANARY)) {
  console.error('deprecations: the canary warning was not recorded; the check does not work here')
  process.exit(1)
}
for (const e of unexpected) {
  console.error(`deprecation ${e.code}: ${e.message}`)
  console.error(`  in: ${e.argv.join(' ')}`)
  for (const frame of e.where.slice(0, 6)) console.error(`  ${frame}`)
}
if (unexpected.length > 0) {
  console.error(`${unexpected.length} deprecation warning(s): fix them (or allow one precisely)`)
  process.exit(1)
}
console.log('deprecations: none')
