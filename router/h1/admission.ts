/** What the HTTP/1.1 server decides about a request before the router sees it. */
export interface Admission {
  /** A status to answer with here (the connection then closes), or undefined to route it. */
  readonly refusal: 405 | 417 | undefined
  /** Send `100 Continue` when the request's turn comes. */
  readonly expectContinue: boolean
}

/**
 * CONNECT is refused (405: a router of HTTP requests carries no tunnels); `Expect:
 * 100-continue` is honoured on HTTP/1.1 and ignored on HTTP/1.0, which has no 100 status (RFC
 * 9110 10.1.1); any other expectation cannot be met (417).
 */
export function admission(method: string, version: string, raw: readonly string[]): Admission {
  if (method === 'CONNECT') return { refusal: 405, expectContinue: false }
  const expect = expectation(raw)
  if (expect === undefined) return ROUTE
  if (expect !== '100-continue') return { refusal: 417, expectContinue: false }
  return version === '1.1' ? CONTINUE : ROUTE
}

const ROUTE: Admission = { refusal: undefined, expectContinue: false }
const CONTINUE: Admission = { refusal: undefined, expectContinue: true }

/** The `Expect` value (trimmed, lower case), if the request has one. */
function expectation(raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 6 && name.toLowerCase() === 'expect') {
      return (raw[i + 1] as string).trim().toLowerCase()
    }
  }
  return undefined
}

/** A bodiless response written straight to the socket, closing the connection. */
export function rawResponse(status: string): string {
  return `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`
}
