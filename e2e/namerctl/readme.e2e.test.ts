/**
 * The README's canary walk-through, run as written: the fenced block after the
 * `<!-- test: canary walk-through -->` marker goes to bash (stopping at the first failing
 * command) in the checkout, where its `npx namerctl` runs this package's bin/namerctl.js, with
 * NAMERCTL_BASE_URL pointing at a real namerd on the file store, as the README's setup sentence
 * says. npm is kept offline: were `namerctl` not this package's own command, npx would fail
 * instead of fetching a package of that name.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readDtab, showPathTree, showDtab, readNameTree } from '../../dtabs/index.js'
import { repoRoot } from '../../testing/paths.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'

const root = repoRoot
const MARKER = '<!-- test: canary walk-through -->'

/** The shell block that follows the marker in README.md. */
function walkThrough(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const after = readme.slice(readme.indexOf(MARKER) + MARKER.length)
  const block = /^\s*```sh\n([\s\S]*?)\n```/.exec(after)
  if (readme.indexOf(MARKER) < 0 || block === null) throw new Error('walk-through block not found')
  return block[1] as string
}

function bash(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = { env, cwd: root, timeout: 120_000 }
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-c', script], options, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr }),
    )
  })
}

test('the README canary walk-through runs as written and ends where it started', async (t) => {
  t.timeout(150_000) // seven npx runs; npm takes a second or more to start each
  const dir = tempDir(t)
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.file', path: join(dir, 'dtabs.json') },
    namers: [{ kind: 'io.l5d.fs', rootDir: join(root, 'examples/disco') }],
  })
  const script = walkThrough()
  t.regex(script, /^npx namerctl /m, 'the block runs namerctl through npx')
  const env = { ...process.env, NAMERCTL_BASE_URL: n.api, npm_config_offline: 'true' }
  const r = await bash(script, env)
  t.is(r.code, 0, r.stderr)

  // Every `set` in the block reported its step, in order, in canonical form.
  const steps = [...script.matchAll(/namerctl dtab set shop (\S+) "?([^"#\n]+?)"?\s+#/g)]
  t.is(steps.length, 4)
  let from = 0
  for (const [, prefix, dst] of steps) {
    const line = `Updated shop: ${prefix} => ${showPathTree(readNameTree(dst as string))}`
    const at = r.stdout.indexOf(line, from)
    t.true(at >= from, `missing or out of order: ${line}\n${r.stdout}`)
    from = at
  }
  // bind showed both versions while the canary was at 10 %.
  t.regex(r.stdout, /users-v1[\s\S]*users-v2|users-v2[\s\S]*users-v1/)

  // Rolled back: namerd holds exactly the dtab the block created.
  const created = /create shop - <<'END'\n([\s\S]*?)\nEND/.exec(script)?.[1] ?? ''
  const now = await (
    await fetch(`${n.api}/api/1/dtabs/shop`, { headers: { accept: 'application/dtab' } })
  ).text()
  t.is(showDtab(readDtab(now)), showDtab(readDtab(created)))
  t.true(r.stdout.includes('# version '))
})
