/**
 * Reading a config file at the edge (`router <config>`): YAML or JSON (JSON is YAML 1.2, so one
 * parser reads both) into `unknown`, for `parseConfig`. Duplicate keys are errors, as a typo
 * that silently replaces a value would be.
 */
import { readFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import { ConfigError } from './section.js'
import { errorMessage } from '../errors.js'

/**
 * The value in `text` (YAML or JSON); `source` names it in errors. A syntax error is a
 * ConfigError at `<source>:<line>:<column>`, e.g. `router.yaml:3:5: YAML syntax error: …`.
 * An empty document is `null` (which parseConfig then rejects).
 */
export function loadConfigText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true })
  const error = doc.errors[0]
  if (error !== undefined) {
    const pos = error.linePos?.[0]
    const at = pos === undefined ? source : `${source}:${pos.line}:${pos.col}`
    const why =
      error.code === 'MULTIPLE_DOCS'
        ? 'more than one YAML document (one config per file)'
        : firstLine(error.message)
    throw new ConfigError(at, `YAML syntax error: ${why}`, { cause: error })
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 100 })
  } catch (e) {
    throw new ConfigError(source, `YAML error: ${errorMessage(e)}`, { cause: e })
  }
  if (isCyclic(value, new Set())) {
    throw new ConfigError(source, 'YAML error: an alias refers to a value that contains it')
  }
  return value
}

/** True if `value` contains itself (a YAML alias inside its own anchor). */
function isCyclic(value: unknown, ancestors: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return false
  if (ancestors.has(value)) return true
  ancestors.add(value)
  const children = Array.isArray(value) ? value : Object.values(value)
  const cyclic = children.some((child) => isCyclic(child, ancestors))
  ancestors.delete(value)
  return cyclic
}

/** The message without yaml's ` at line L, column C:` suffix and code frame. */
function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message
  return line.replace(/ at line \d+, column \d+:?$/, '')
}

/**
 * Reads and loads the config file `file`, or standard input for `-` (named `<stdin>` in
 * errors). A file that cannot be read is a ConfigError naming it.
 */
export async function readConfigFile(
  file: string,
  stdin: AsyncIterable<Buffer | string> = process.stdin,
): Promise<unknown> {
  if (file === '-') return loadConfigText(await readAll(stdin), '<stdin>')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw new ConfigError(file, `cannot read the config file: ${errorMessage(e)}`, { cause: e })
  }
  return loadConfigText(text, file)
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}
