import {
  NamerdJsonError,
  boundTreeFromJson as readBoundTree,
  delegateTreeFromJson as readDelegateTree,
  type BoundLeaf,
  type DelegateTree,
  type NameTree,
} from '../dtabs/index.js'
import { NamerdError } from './errors.js'

/**
 * namerd's JSON answers to `/api/1/delegate` and `/api/1/bind` read back into the trees the
 * offline commands build, so that online and offline output are rendered by the same code
 * (render.ts). A body of another shape is an unexpected response (exit 9).
 */

/** The body of `/api/1/delegate` as a delegate tree. */
export function delegateTreeFromJson(v: unknown): DelegateTree {
  return unexpected(() => readDelegateTree(v))
}

/** The body of `/api/1/bind` as a bound tree. */
export function boundTreeFromJson(v: unknown): NameTree<BoundLeaf> {
  return unexpected(() => readBoundTree(v))
}

function unexpected<T>(read: () => T): T {
  try {
    return read()
  } catch (e) {
    if (!(e instanceof NamerdJsonError)) throw e
    throw new NamerdError('ERR_UNEXPECTED_RESPONSE', `unexpected response: ${e.message}`, {
      cause: e,
    })
  }
}
