import { http } from '../../lib/node-http.js'

const { STATUS_CODES } = http

/** What the response writer learns from the header list while writing it out. */
export interface HeadText {
  /** Status line and header lines, without the framing headers or the final blank line. */
  readonly text: string
  /** The `content-length` value, if one was given. */
  readonly contentLength: string | undefined
}

const statusLines = new Map<number, string>()

function statusLine(status: number): string {
  let line = statusLines.get(status)
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`
    if (statusLines.size < 1000) statusLines.set(status, line)
  }
  return line
}

let dateSecond = 0
let dateLine = ''

/** `date: …\r\n` for the current second (made once per second, as node:http does). */
function currentDateLine(): string {
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    dateLine = `date: ${new Date(now).toUTCString()}\r\n`
  }
  return dateLine
}

/**
 * The head of a response with `headers` (flat `[name, value, …]`, already free of hop-by-hop
 * fields): the status line, the fields as given, and a `date` unless one is there.
 */
export function headText(status: number, headers: readonly string[]): HeadText {
  let text = statusLine(status)
  let contentLength: string | undefined
  let hasDate = false
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string
    const value = headers[i + 1] as string
    if (name.length === 14 && name.toLowerCase() === 'content-length') contentLength ??= value
    else if (name.length === 4 && name.toLowerCase() === 'date') hasDate = true
    text += `${name}: ${value}\r\n`
  }
  if (!hasDate) text += currentDateLine()
  return { text, contentLength }
}
