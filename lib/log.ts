/**
 * The project's logger: JSON lines over pino, one object per line
 * (`{"level":"info","time":"…","pid":1,"name":"router","msg":"listening","port":4140}`).
 *
 * Never log secrets. Callers pass chosen fields, never a request's or response's headers (or a
 * config section) wholesale; as a safety net, `authorization`, `cookie`, `set-cookie` and
 * `proxy-authorization` keys are redacted at the top level, one level down and under `headers`.
 * An `err` field is written with its type, message and stack.
 */
import { pino, stdTimeFunctions } from 'pino'

/** Extra fields of a line. */
export type LogFields = Readonly<Record<string, unknown>>

/** What code logs through; `msg` first, then the fields of the line. */
export interface Log {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

export interface LogOptions {
  /** A `name` field on every line (`router`, `namerd`). */
  readonly name?: string
  /** The least level written; default env `LOG_LEVEL`, else `info`. */
  readonly level?: string
  /** Write nothing (tests). */
  readonly silent?: boolean
  /** Where lines go; default stderr, written synchronously so nothing is lost at exit. */
  readonly destination?: { write(line: string): void }
}

/** The levels `LOG_LEVEL` accepts, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const SECRETS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization']
/** Redaction paths for a key at the top level, one level down, and under `headers`. */
const REDACT = SECRETS.map((k) => `["${k}"]`).flatMap((k) => [
  k,
  `*${k}`,
  `headers${k}`,
  `*.headers${k}`,
])

/** A JSON-lines logger. An unknown level falls back to `info`, saying so in a warning. */
export function createLog(options: LogOptions = {}): Log {
  const wanted = options.level ?? process.env['LOG_LEVEL'] ?? 'info'
  const known = LOG_LEVELS.includes(wanted)
  const p = pino(
    {
      level: options.silent === true ? 'silent' : known ? wanted : 'info',
      base:
        options.name === undefined
          ? { pid: process.pid }
          : { pid: process.pid, name: options.name },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: REDACT,
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  )
  const log: Log = {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
  }
  if (!known) log.warn(`LOG_LEVEL "${wanted}" is not a level; using info`, { levels: LOG_LEVELS })
  return log
}

/** A logger that drops everything (tests, or callers that want no output). */
export const nullLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}
