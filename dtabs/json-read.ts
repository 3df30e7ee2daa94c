import { CodedError, errorMessage } from '../lib/errors.js'
import { constant } from './activity.js'
import type { DelegateTree } from './delegate.js'
import { NOP_DENTRY, type Dentry } from './dtab.js'
import type { Addr, Address, Bound, BoundLeaf } from './name.js'
import type { NameTree } from './name-tree.js'
import { readNameTree, readPath, readPrefix } from './parse.js'
import { ROOT, type Path } from './path.js'
/**
 * namerd's JSON answers read back: `/api/1/delegate` and `/api/1/bind` as the trees the naming
 * core builds, `/api/1/addr` as an Addr. Bound leaves get a constant `addr` (the snapshot in the
 * document); a live client replaces it. A document of another shape throws `NamerdJsonError`
 * saying where (`bind.union[1].tree.bound.id: expected a string`).
 */

/** A namerd JSON document that does not have the shape namerd's API sends. */
export class NamerdJsonError extends CodedError {
  readonly code = 'ERR_NAMERD_JSON'
}

type Obj = Readonly<Record<string, unknown>>

function bad(at: string, problem: string): NamerdJsonError {
  return new NamerdJsonError(`${at}: ${problem}`)
}

function obj(v: unknown, at: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(at, 'expected an object')
  return v as Obj
}

function str(o: Obj, key: string, at: string): string {
  const v = o[key]
  if (typeof v !== 'string') throw bad(`${at}.${key}`, 'expected a string')
  return v
}

function list(o: Obj, key: string, at: string): unknown[] {
  const v = o[key]
  if (!Array.isArray(v)) throw bad(`${at}.${key}`, 'expected a list')
  return v
}

function num(o: Obj, key: string, at: string): number {
  const v = o[key]
  if (typeof v !== 'number') throw bad(`${at}.${key}`, 'expected a number')
  return v
}

function parsed<T>(text: string, at: string, read: (s: string) => T): T {
  try {
    return read(text)
  } catch (e) {
    throw bad(at, errorMessage(e))
  }
}

function pathAt(o: Obj, at: string): Path {
  return parsed(str(o, 'path', at), `${at}.path`, readPath)
}

function dentryOf(v: unknown, at: string): Dentry {
  if (v === undefined) return NOP_DENTRY
  const o = obj(v, at)
  return {
    prefix: parsed(str(o, 'prefix', at), `${at}.prefix`, readPrefix),
    dst: parsed(str(o, 'dst', at), `${at}.dst`, readNameTree),
  }
}

/** The body of `/api/1/delegate` as a delegate tree. */
export function delegateTreeFromJson(
  v: unknown,
  at = 'delegate',
  parent: Path = ROOT,
): DelegateTree {
  const o = obj(v, at)
  const type = str(o, 'type', at)
  const dentry = dentryOf(o['dentry'], `${at}.dentry`)
  switch (type) {
    case 'delegate': {
      const path = pathAt(o, at)
      return {
        type,
        path,
        dentry,
        tree: delegateTreeFromJson(o['delegate'], `${at}.delegate`, path),
      }
    }
    case 'alt': {
      const path = pathAt(o, at)
      const trees = list(o, 'alt', at).map((t, i) =>
        delegateTreeFromJson(t, `${at}.alt[${i}]`, path),
      )
      return { type, path, dentry, trees }
    }
    case 'union': {
      const path = pathAt(o, at)
      const trees = list(o, 'union', at).map((w, i) => weighted(w, `${at}.union[${i}]`, path))
      return { type, path, dentry, trees }
    }
    case 'leaf':
      return { type, path: pathAt(o, at), dentry, name: boundOf(o['bound'], `${at}.bound`) }
    case 'exception':
      return { type, path: pathAt(o, at), dentry, error: new Error(str(o, 'message', at)) }
    default:
      return terminal(o, type, at, dentry, parent)
  }
}

function weighted(v: unknown, at: string, parent: Path): { weight: number; tree: DelegateTree } {
  const o = obj(v, at)
  return {
    weight: num(o, 'weight', at),
    tree: delegateTreeFromJson(o['tree'], `${at}.tree`, parent),
  }
}

/** `neg` (`~` for an explicit `~` in a dtab), `fail` (`!`: the path is its parent's), `empty`. */
function terminal(o: Obj, type: string, at: string, dentry: Dentry, parent: Path): DelegateTree {
  if (type !== 'neg' && type !== 'fail' && type !== 'empty')
    throw bad(`${at}.type`, `unknown node type ${JSON.stringify(type)}`)
  const shown = str(o, 'path', at)
  if (type === 'neg' && shown === '~') return { type, path: ROOT, dentry }
  if (type === 'fail' && shown === '!') return { type, path: parent, dentry }
  return { type, path: pathAt(o, at), dentry }
}

function boundOf(v: unknown, at: string): Bound {
  const o = obj(v, at)
  return {
    id: pathAt({ path: str(o, 'id', at) }, `${at}.id`),
    path: pathAt(o, at),
    addr: constant(addrFromJson(o['addr'], `${at}.addr`)),
  }
}

/** An address set (`/api/1/addr`, and the `addr` of bound leaves) as an Addr. */
export function addrFromJson(v: unknown, at = 'addr'): Addr {
  const o = obj(v, at)
  const type = str(o, 'type', at)
  switch (type) {
    case 'bound': {
      const addrs = list(o, 'addrs', at).map((a, i) => addressOf(a, `${at}.addrs[${i}]`))
      const meta = metaOf(o['meta'], `${at}.meta`)
      return meta === undefined ? { type, addrs } : { type, addrs, meta }
    }
    case 'failed':
      return { type, cause: str(o, 'cause', at) }
    case 'neg':
    case 'pending':
      return { type }
    default:
      throw bad(`${at}.type`, `unknown addr type ${JSON.stringify(type)}`)
  }
}

/** The body of `/api/1/bind` as a bound tree. */
export function boundTreeFromJson(v: unknown, at = 'bind'): NameTree<BoundLeaf> {
  const o = obj(v, at)
  const type = str(o, 'type', at)
  switch (type) {
    case 'leaf':
      return { type, value: { bound: boundOf(o['bound'], `${at}.bound`) } }
    case 'alt':
      return {
        type,
        trees: list(o, 'alt', at).map((t, i) => boundTreeFromJson(t, `${at}.alt[${i}]`)),
      }
    case 'union':
      return {
        type,
        trees: list(o, 'union', at).map((w, i) => {
          const wo = obj(w, `${at}.union[${i}]`)
          const tree = boundTreeFromJson(wo['tree'], `${at}.union[${i}].tree`)
          return { weight: num(wo, 'weight', `${at}.union[${i}]`), tree }
        }),
      }
    case 'neg':
    case 'fail':
    case 'empty':
      return { type }
    default:
      throw bad(`${at}.type`, `unknown node type ${JSON.stringify(type)}`)
  }
}

function addressOf(v: unknown, at: string): Address {
  const o = obj(v, at)
  const host = str(o, 'ip', at)
  const port = num(o, 'port', at)
  const meta = metaOf(o['meta'], `${at}.meta`)
  return meta === undefined ? { host, port } : { host, port, meta }
}

/** Metadata is kept when it is a non-empty object (namerd always sends one, often `{}`). */
function metaOf(v: unknown, at: string): Readonly<Record<string, unknown>> | undefined {
  if (v === undefined) return undefined
  const o = obj(v, at)
  return Object.keys(o).length === 0 ? undefined : o
}
