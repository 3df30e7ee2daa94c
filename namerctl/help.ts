import { BASE_URL_ENV, CONFIG_FILES, DEFAULT_BASE_URL } from './config.js'
import { exitStatusHelp } from './exit.js'

/** The part of `namerctl --help` and `namerctl dtab --help` after the commands. */
export function helpEpilogue(): string {
  return [
    '',
    'namerd base URL (first found):',
    '  1. --base-url URL',
    `  2. the ${BASE_URL_ENV} environment variable`,
    `  3. base-url in --config FILE, or in the first ${CONFIG_FILES.join(', ')}`,
    '     found in the current directory or a parent',
    `  4. ${DEFAULT_BASE_URL}`,
    '',
    'Exit statuses:',
    exitStatusHelp(),
  ].join('\n')
}
