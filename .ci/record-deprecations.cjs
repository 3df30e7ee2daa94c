// Preloaded (NODE_OPTIONS=--require=…) into every Node process and worker thread of a CI test
// run, and inherited by the processes the tests spawn: appends each deprecation warning as one
// JSON line to the file named by DEPRECATIONS_LOG, with the code, the message and the stack
// frames that are not Node's own (node:…). .ci/run fails the run when a line is not allowed.
// CommonJS on purpose: an --import preload does not run in worker threads (where ava runs tests).
'use strict'
/* global process */
const { appendFileSync } = process.getBuiltinModule('node:fs')

const file = process.env.DEPRECATIONS_LOG
if (file) {
  process.on('warning', (warning) => {
    if (warning.name !== 'DeprecationWarning') return
    const where = String(warning.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .filter((line) => !/[( ]node:/.test(line))
    const entry = { code: warning.code, message: warning.message, argv: process.argv, where }
    appendFileSync(file, `${JSON.stringify(entry)}\n`)
  })
}
