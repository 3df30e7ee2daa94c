import { CodedError } from '../../lib/errors.js'

/** What went wrong reading a canary's figures (docs/errors.md lists each code). */
export type FiguresErrorCode =
  'ERR_FIGURES_UNREACHABLE' | 'ERR_FIGURES_RESPONSE' | 'ERR_FIGURES_PARTIAL'

/**
 * A figure source could not give figures: a router's admin or Prometheus did not answer
 * (`ERR_FIGURES_UNREACHABLE`), answered with an error or a body of the wrong shape
 * (`ERR_FIGURES_RESPONSE`, Prometheus's own error quoted), or a router with `--workers` answered
 * for only some of its workers (`ERR_FIGURES_PARTIAL`: its sums would be short). The message
 * names the URL.
 */
export class FiguresError extends CodedError {
  constructor(
    readonly code: FiguresErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
