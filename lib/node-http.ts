/**
 * `node:http`, loaded with `require`. Node 26's ES module namespace of node:http evaluates every
 * export, its lazy `WebSocket` included, and that loads undici: measured on Node 26.12, 60 ms
 * more start-up and 15 MB more resident memory for a process that never uses it (the router,
 * every namerctl command). `require` leaves lazy exports alone. Import node:http's values from
 * here; type-only imports of 'node:http' cost nothing.
 */
import { createRequire } from 'node:module'
import type * as Http from 'node:http'

export const http = createRequire(import.meta.url)('node:http') as typeof Http
