/**
 * `default`: the router's `dtab` over the configured namers (linkerd's
 * `ConfiguredNamersInterpreter`). This is what a router uses when it has no `interpreter:`.
 *
 *   interpreter:
 *     kind: default
 */
import { constant, ok } from '../../dtabs/index.js'
import { DtabInterpreter, type DtabInterpreterOptions } from '../../dtabs/interpreter.js'
import type { InterpreterEnv, InterpreterPlugin } from './index.js'

export const defaultInterpreter: InterpreterPlugin = {
  kind: 'default',
  parse() {
    return function makeDefaultInterpreter(env) {
      return new DtabInterpreter({ base: constant(ok(env.dtab)), ...dtabOptions(env) })
    }
  },
}

/** The options every dtab interpreter takes from its environment. */
export function dtabOptions(env: InterpreterEnv): Omit<DtabInterpreterOptions, 'base'> {
  return {
    namers: env.namers,
    delegateTimeoutMs: env.delegateTimeoutMs,
    maxNodes: env.bindingNodeLimit,
  }
}
