/**
 * The README's canary walk-through, run as written: the fenced block after the
 * `<!-- test: canary walk-through -->` marker goes to bash (stopping at the first failing
 * command) with the real `namerctl` on the PATH and NAMERCTL_BASE_URL pointing at a real namerd
 * on the file store, as the README's setup sentence says.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readDtab, showPathTree, showDtab, readNameTree } from '../../dtabs/index.js'
import { repoRoot } from '../../testing/paths.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'

const root = repoRoot
const namerctlBin = join(root, 'bin/namerctl.js')
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
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-c', script], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr }),
    )
  })
}

test('the README canary walk-through runs as written and ends where it started', async (t) => {
  const dir = tempDir(t)
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.file', path: join(dir, 'dtabs.json') },
    namers: [{ kind: 'io.l5d.fs', rootDir: join(root, 'examples/disco') }],
  })
  writeFileSync(
    join(dir, 'namerctl'),
    `#!/bin/sh\nexec "${process.execPath}" "${namerctlBin}" "$@"\n`,
  )
  chmodSync(join(dir, 'namerctl'), 0o755)
  const script = walkThrough()
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, NAMERCTL_BASE_URL: n.api }
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
