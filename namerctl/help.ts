import { helpSections } from '../lib/cli.js'
import { BASE_URL_ENV, CONFIG_FILES, DEFAULT_BASE_URL } from './config.js'
import { EXIT_STATUSES } from './exit.js'
import { TOKEN_ENV } from './token.js'

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
    helpSections({
      environment: [
        [BASE_URL_ENV, 'namerd base URL (see above)'],
        [TOKEN_ENV, 'bearer token (when --token-file is not given; before token-file)'],
        ['LOG_LEVEL', 'not read: namerctl writes no logs, only its output and its errors'],
      ],
      exitStatuses: EXIT_STATUSES.map((s) => [s.status, s.meaning]),
      docs: ['README.md', 'docs/namerctl.md', 'docs/errors.md'],
    }),
  ].join('\n')
}
