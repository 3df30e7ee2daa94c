// What bin/router.js, bin/namerd.js and bin/namerctl.js share: run the compiled program from
// dist/, or, in a checkout that was never built, say so in one line instead of Node's
// ERR_MODULE_NOT_FOUND stack.
import { existsSync } from 'node:fs'

/** Runs `dist/<name>/main.js` with the command line's arguments; status 1 if it is not built. */
export async function launch(name) {
  const main = new URL(`../dist/${name}/main.js`, import.meta.url)
  if (!existsSync(main)) {
    process.stderr.write(`${name}: not built yet: run npm run build (or npm ci) first\n`)
    process.exitCode = 1
    return
  }
  const program = await import(main.href)
  await program.main(process.argv.slice(2))
}
