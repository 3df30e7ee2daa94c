import type { UpstreamRequest } from '../core/handler.js'

/**
 * The request line and header block, ready to write (latin1). A body without `content-length`
 * is sent chunked; `chunked` says so. Values come from Node's validated parse of the inbound
 * request or from the router's own escaped forms, so no CR or LF can reach them.
 */
export function requestHead(r: UpstreamRequest): { head: string; chunked: boolean } {
  let head = `${r.method} ${r.path} HTTP/1.1\r\n`
  let length = false
  const h = r.headers
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i] as string
    if (name.length === 14 && name.toLowerCase() === 'content-length') length = true
    head += `${name}: ${h[i + 1] as string}\r\n`
  }
  const chunked = r.body !== null && !length
  if (chunked) head += 'transfer-encoding: chunked\r\n'
  return { head: `${head}\r\n`, chunked }
}
