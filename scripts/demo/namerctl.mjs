// namerctl as the demo runs it: the real bin/namerctl.js, spawned, in the demo's work dir (so
// files are named as a user would type them), its command line and output shown as in a shell.
import { runChild } from './children.mjs'

/** `arg` as a POSIX shell would need it quoted. */
export function shellQuote(arg) {
  return /^[\w/.:@%+,=-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`
}

/**
 * Returns `namerctl(...args)`: prints `$ namerctl <args>` and its output with `print`, resolves
 * with its standard output; an exit status other than the one expected (0 unless the last
 * argument is `{ exit: N }`) is an error carrying its output. `baseUrl` is given
 * through NAMERCTL_BASE_URL (not printed: the commands read as the README's).
 */
export function namerctlRunner({ bin, cwd, baseUrl, print }) {
  return async function namerctl(...args) {
    // A trailing { exit: N } says which exit status is expected (a shift that rolls back: 11).
    const expected = typeof args.at(-1) === 'object' ? args.pop().exit : 0
    print(`$ namerctl ${args.map(shellQuote).join(' ')}`)
    const r = await runChild(bin, args, { cwd, env: { NAMERCTL_BASE_URL: baseUrl }, ms: 120_000 })
    const out = `${r.stdout}${r.stderr}`.trimEnd()
    if (r.code !== expected) {
      throw new Error(`namerctl ${args.join(' ')} failed (exit ${r.code}):\n${out}`)
    }
    if (out !== '') print(out)
    return r.stdout
  }
}
