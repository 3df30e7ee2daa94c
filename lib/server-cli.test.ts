import test from 'ava'
import { LOG_LEVELS } from './log.js'
import { parseServerCommandLine, serverProgram } from './server-cli.js'

const spec = {
  name: 'srv',
  description: 'A server.',
  config: 'srv config file',
  failures: 'invalid config, or a bug',
  docs: ['README.md'],
}

test('the help names the config, LOG_LEVEL and its levels, the exit statuses and the docs', (t) => {
  const cmd = serverProgram(spec)
  let out = ''
  cmd.configureOutput({ writeOut: (s) => (out += s) })
  cmd.outputHelp()
  t.regex(out, /^Usage: srv \[options\] <config>$/m)
  t.true(out.includes('srv config file (YAML or JSON), or - for standard input'))
  t.regex(out, /^ {2}LOG_LEVEL {2}least level of the JSON log lines written on standard error:$/m)
  t.true(out.includes(`${LOG_LEVELS.join(', ')} (default info)`))
  t.regex(out, /^ {2}1 {2}failure: invalid config, or a bug$/m)
  t.regex(out, /^ {2}2 {2}usage: /m)
  t.regex(out, /^ {2}\S+README\.md$/m)
})

test("--validate and linkerd's -validate; a program adds its own options", async (t) => {
  for (const flag of ['--validate', '-validate']) {
    const cmd = serverProgram(spec).option('--extra <n>')
    await parseServerCommandLine(cmd, [flag, 'c.yaml', '--extra', '3'])
    t.deepEqual(cmd.opts(), { validate: true, extra: '3' })
    t.deepEqual(cmd.args, ['c.yaml'])
  }
})
