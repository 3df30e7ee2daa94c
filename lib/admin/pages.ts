import type { FastifyInstance, FastifyReply } from 'fastify'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One page of an admin server: its path, title, and the bundle (`dist/ui/<script>.js`) it runs. */
export interface AdminPage {
  readonly path: string
  readonly title: string
  readonly script: string
}

/** Where `npm run build` puts the pages' bundles and style sheet (scripts/build.mjs). */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url))

/**
 * What every page and file is served with: scripts and styles only from this server, no
 * inline script, no framing, nothing sniffed, no referrer to other sites. With the pages'
 * text-only rendering (ui/dom.ts) a name or dtab holding markup can never run.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

interface Asset {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

/**
 * `GET <page.path>` for each page (an HTML shell loading `/ui/<script>.js`) and `GET /ui/<file>`
 * for those scripts and the style sheet, read once from `dir` now (ETag, 304 on
 * `If-None-Match`). When the pages were not built, a page answers 503 saying so (the JSON
 * endpoints still work).
 */
export function pageRoutes(app: FastifyInstance, pages: readonly AdminPage[], dir = UI_DIR): void {
  // Only this server's pages' scripts and the style sheet: not another program's pages.
  const wanted = new Set(['style.css', ...pages.map((p) => `${p.script}.js`)])
  const assets = readAssets(dir, wanted)
  for (const [name, asset] of assets) {
    app.get(`/ui/${name}`, (req, reply) => sendAsset(reply, asset, req.headers['if-none-match']))
  }
  for (const page of pages) {
    const built = assets.has(`${page.script}.js`)
    const shell = asset(Buffer.from(shellOf(page)), 'text/html; charset=utf-8')
    app.get(page.path, (req, reply) => {
      if (!built) {
        return reply
          .headers(SECURITY_HEADERS)
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`the admin pages are not built (${dir} has no ${page.script}.js): npm run build\n`)
      }
      return sendAsset(reply, shell, req.headers['if-none-match'])
    })
  }
}

function readAssets(dir: string, wanted: ReadonlySet<string>): Map<string, Asset> {
  const out = new Map<string, Asset>()
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names.filter((n) => wanted.has(n))) {
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)]
    if (type !== undefined) out.set(name, asset(readFileSync(`${dir}/${name}`), type))
  }
  return out
}

function asset(body: Buffer, type: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
  return { body, type, etag }
}

function sendAsset(reply: FastifyReply, a: Asset, ifNoneMatch: string | undefined): FastifyReply {
  reply.headers(SECURITY_HEADERS).header('etag', a.etag)
  if (notModified(ifNoneMatch, a.etag)) return reply.code(304).send()
  return reply.type(a.type).send(a.body)
}

/** `If-None-Match` (a list of tags, compared weakly, or `*`) holds `etag` (RFC 9110 13.1.2). */
function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === etag
  })
}

/** The HTML every page starts as: its title, the style sheet, an empty app, its script. */
function shellOf(page: AdminPage): string {
  const title = page.title.replace(/[<>&"']/g, '')
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${title}</title><link rel="stylesheet" href="/ui/style.css"></head>` +
    `<body><div id="app"></div><script src="/ui/${page.script}.js"></script></body></html>\n`
  )
}
