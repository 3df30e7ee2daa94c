import {
  NOP_DENTRY,
  ROOT,
  constant,
  readNameTree,
  readPath,
  readPrefix,
  type Addr,
  type Bound,
  type BoundLeaf,
  type DelegateTree,
  type Dentry,
  type NameTree,
  type Path,
} from '../dtabs/index.js'
import { errorMessage } from '../lib/errors.js'
import { NamerdError } from './errors.js'

/**
 * namerd's JSON answers to `/api/1/delegate` and `/api/1/bind` read back into the trees the
 * offline commands build, so that online and offline output are rendered by the same code
 * (render.ts). A body of another shape is an unexpected response (exit 9).
 */
type Obj = Readonly<Record<string, unknown>>

function bad(at: string, problem: string): NamerdError {
  return new NamerdError('ERR_UNEXPECTED_RESPONSE', `unexpected response: ${at}: ${problem}`)
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
    addr: constant(addrOf(o['addr'], `${at}.addr`)),
  }
}

function addrOf(v: unknown, at: string): Addr {
  const o = obj(v, at)
  const type = str(o, 'type', at)
  switch (type) {
    case 'bound': {
      const addrs = list(o, 'addrs', at).map((a, i) => {
        const ao = obj(a, `${at}.addrs[${i}]`)
        return {
          host: str(ao, 'ip', `${at}.addrs[${i}]`),
          port: num(ao, 'port', `${at}.addrs[${i}]`),
        }
      })
      return { type, addrs }
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
