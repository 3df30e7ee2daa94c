// The demo's prose: what runs where, how the final resolution came about, what to try next.
import { bold } from './display.mjs'

const indent = (text) => text.trimEnd().replace(/^/gm, '  ')

/** What was started, once everything is ready. */
export function banner({ ports, work, v1, v2 }) {
  return `${bold('A canary through namerd')}: the router asks namerd to bind every name and follows each change.
  namerd       127.0.0.1:${ports.namerd.port} (admin ${ports.namerdAdmin.port})  dtabs in ${work}/namerd/dtabs.json (io.l5d.file), io.l5d.fs namer over ${work}/disco
  router       127.0.0.1:${ports.router.port} (admin ${ports.admin.port})  interpreter io.l5d.namerd.http, namespace "shop"
  users v1/v2  127.0.0.1:${v1} / 127.0.0.1:${v2}  (disco/users-v1, disco/users-v2)
  load         8 keep-alive connections through the router, Host: users (/svc/users)
`
}

export function dtabFile(name, text) {
  return `${name}:\n${indent(text)}`
}

/** After the walk: why the router's traffic moved with no restart, and where the answer came from. */
export const HOW_IT_WORKS = `${bold('How it works, online')}: namerctl changed the dtab in namerd's store; namerd pushed the new
bound tree down the bind stream the router keeps open for /svc/users (and each endpoint set down
an addr stream); the router switched its next requests to it. Nothing restarted, no file was
edited on the router's machine. The same resolution, asked of namerd now:`

/** What to try while everything keeps running. */
export function explore({ ports, root, work }) {
  const r = `http://127.0.0.1:${ports.router.port}`
  const a = `http://127.0.0.1:${ports.admin.port}`
  const base = `http://127.0.0.1:${ports.namerd.port}`
  const pinned = `curl -H 'Host: users' -H 'l5d-dtab: /svc/users => /srv/users-v1' ${r}/`
  const env = ports.namerd.port === 4180 ? '' : `export NAMERCTL_BASE_URL=${base}\n`
  return `
${bold('Explore')} (everything keeps running; Ctrl-C stops it all and removes ${work}):
${indent(`# through the router (Host picks the service: /svc/users)
curl -H 'Host: users' ${r}/
${pinned}   # this request only: v1
${`curl -H 'Host: nope' ${r}/`.padEnd(pinned.length)}   # 502, says why
# the dtab, in namerd (the router follows every change)
${env}alias namerctl='node ${root}/bin/namerctl.js'
namerctl dtab get shop
namerctl dtab set shop /svc/users '99 * /srv/users-v1 & 1 * /srv/users-v2'
namerctl dtab watch shop
namerctl dtab delegate shop /svc/users
# the router's streams to namerd, its metrics, namerd's metrics, the logs
curl ${a}/demo/interpreter_state/io.l5d.namerd.http/shop.json
curl ${a}/admin/metrics/prometheus | grep -E '^rt:'
curl http://127.0.0.1:${ports.namerdAdmin.port}/admin/metrics/prometheus
tail -f ${work}/router.log ${work}/namerd.log`)}`
}

export const SHIFT_INTRO = `${bold('A canary that rolls itself back')}: users v3 is a broken build (one request in 10 fails).
One command walks /svc/users to it in steps, and before each next step compares v3's success
rate and latency with v2's on the router's metrics; the first gate fails, so namerctl writes the
dtab it started from back and exits 11. The history keeps every step and the rollback.`
