import { CommanderError } from 'commander'
import { EXIT } from '../lib/cli.js'
import { errorCode } from '../lib/errors.js'

/** One exit status of namerctl: its number, a short name, and the error codes that give it. */
export interface ExitStatus {
  readonly status: number
  readonly meaning: string
  readonly codes: readonly string[]
}

/**
 * Every exit status, in order: the one table that `main` uses to exit and that `--help` prints.
 * A code not listed here (and any unexpected exception) is a failure, status 1.
 */
export const EXIT_STATUSES: readonly ExitStatus[] = [
  { status: 0, meaning: 'ok', codes: [] },
  {
    status: 1,
    meaning: 'failure: local input invalid (unreadable file, dtab syntax, bad path), or other',
    codes: ['ERR_INPUT', 'ERR_RESOLVE'],
  },
  {
    status: 2,
    meaning: 'usage: bad arguments or flags, invalid base URL or config file',
    codes: ['ERR_USAGE', 'ERR_NAMERCTL_CONFIG'],
  },
  {
    status: 3,
    meaning: 'namerd unreachable (connection refused, DNS failure, timeout, TLS handshake failed)',
    codes: ['ERR_NAMERD_UNREACHABLE'],
  },
  { status: 4, meaning: 'not found (dtab, or rm-entry prefix)', codes: ['ERR_NOT_FOUND'] },
  {
    status: 5,
    meaning: 'rejected by namerd (400; its message is printed)',
    codes: ['ERR_REJECTED'],
  },
  { status: 6, meaning: 'already exists (create)', codes: ['ERR_ALREADY_EXISTS'] },
  {
    status: 7,
    meaning: 'version conflict (the dtab changed meanwhile)',
    codes: ['ERR_VERSION_CONFLICT'],
  },
  {
    status: 8,
    meaning: 'store unavailable (namerd answered 503)',
    codes: ['ERR_NAMERD_UNAVAILABLE'],
  },
  { status: 9, meaning: 'unexpected response from namerd', codes: ['ERR_UNEXPECTED_RESPONSE'] },
  {
    status: 10,
    meaning: 'not authorised (namerd answered 401: no token, or 403: wrong token)',
    codes: ['ERR_NOT_AUTHORISED'],
  },
  {
    status: 11,
    meaning: "a shift's gate failed: the dtab was rolled back to where the shift started",
    codes: ['ERR_GATE_FAILED'],
  },
  {
    status: 12,
    meaning: 'a shift is under way, or stopped half-way, on that dtab (shift --resume, rollback)',
    codes: ['ERR_SHIFT_IN_PROGRESS'],
  },
  {
    status: 13,
    meaning:
      "a shift's gate failed and its rollback could not be written: the canary keeps its share",
    codes: ['ERR_ROLLBACK_FAILED'],
  },
  {
    status: 130,
    meaning: 'a shift was interrupted: the dtab stays at the last step written (shift --resume)',
    codes: ['ERR_SHIFT_INTERRUPTED'],
  },
]

/** The exit status for an error: its code's row, 2 for commander's usage errors, else 1. */
export function exitStatusOf(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE
  const code = errorCode(e)
  const row = EXIT_STATUSES.find((s) => code !== undefined && s.codes.includes(code))
  return row?.status ?? EXIT.FAILURE
}
