// namerctl as the demo runs it: the real bin/namerctl.js, spawned, in the demo's work dir (so
// files are named as a user would type them), its command line and output shown as in a shell.
import { runChild } from './children.mjs'

/** `arg` as a POSIX shell would need it quoted. */
export function shellQuote(arg) {
  return /^[\w/.:@%+,=-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`
}

/**
 * Returns `namerctl(...args)`: prints `$ namerctl <args>` and its output with `print`, resolves
 * with its standard output; a non-zero exit is an error carrying its output. `baseUrl` is given
 * through NAMERCTL_BASE_URL (not printed: the commands read as the README's).
 */
export function namerctlRunner({ bin, cwd, baseUrl, print }) {
  return async function namerctl(...args) {
    print(`$ namerctl ${args.map(shellQuote).join(' ')}`)
    const r = await runChild(bin, args, { cwd, env: { NAMERCTL_BASE_URL: baseUrl } })
    const out = `${r.stdout}${r.stderr}`.trimEnd()
    if (r.code !== 0) {
      throw new Error(`namerctl ${args.join(' ')} failed (exit ${r.code}):\n${out}`)
    }
    if (out !== '') print(out)
    return r.stdout
  }
}
