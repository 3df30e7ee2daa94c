import { readToken, TokenError } from '../lib/auth/token.js'
import { findConfigFile, readConfigKeys } from './config.js'
import { CliConfigError } from './errors.js'

/** The environment variable holding the token when `--token-file` is not given. */
export const TOKEN_ENV = 'NAMERCTL_TOKEN'

/** Where the bearer token may come from; each is optional. */
export interface TokenSources {
  /** `--token-file FILE`. */
  readonly flag?: string | undefined
  /** `NAMERCTL_TOKEN` (empty counts as unset). */
  readonly env?: string | undefined
  /** `--config FILE` instead of searching for `.namerctl.*`. */
  readonly configFile?: string | undefined
  readonly cwd: string
}

/**
 * The token sent as `Authorization: Bearer`: from `--token-file`, then `NAMERCTL_TOKEN`, then
 * the config file's `token-file`; none is undefined (nothing sent). A file that cannot be read
 * or is empty, or a token with characters no header can carry, is a config error (exit 2)
 * naming the file or variable, never showing its content.
 */
export function resolveToken(src: TokenSources): string | undefined {
  if (src.flag !== undefined) return tokenFromFile(src.flag)
  if (src.env !== undefined && src.env.trim() !== '')
    return checked(() => readToken({ tokenEnv: TOKEN_ENV }, { [TOKEN_ENV]: src.env }))
  const file = src.configFile ?? findConfigFile(src.cwd)
  const fromConfig = file === undefined ? undefined : readConfigKeys(file).tokenFile
  return fromConfig === undefined ? undefined : tokenFromFile(fromConfig)
}

function tokenFromFile(path: string): string {
  return checked(() => readToken({ tokenFile: path }))
}

/** `read`'s token; its `TokenError` (unreadable, empty, unsendable) a config error. */
function checked(read: () => string): string {
  try {
    return read()
  } catch (e) {
    if (!(e instanceof TokenError)) throw e
    throw new CliConfigError(e.message, { cause: e })
  }
}
