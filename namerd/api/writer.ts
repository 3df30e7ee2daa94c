/** Who makes a write and why, as a dtab's history keeps it. */
import { firstControlCharacter } from '../../lib/control-characters.js'
import type { FastifyRequest } from 'fastify'
import { authenticatedAs } from '../../lib/auth/fastify.js'
import type { Writer } from '../storage/dtab-store.js'
import { ApiError } from './errors.js'
import { param, type Query } from './query.js'

/** The longest `?message=` a write may carry, in characters. */
export const MAX_MESSAGE_CHARS = 1000

/** Who writes (the guard's answer) and why (`?message=`, checked), for the history. */
export function writerOf(req: FastifyRequest<{ Querystring: Query }>): Writer {
  const by = authenticatedAs(req)
  const message = param(req.query, 'message')
  if (message !== undefined) checkMessage(message)
  return {
    ...(by === undefined ? {} : { by }),
    ...(message === undefined || message === '' ? {} : { message }),
  }
}

function checkMessage(message: string): void {
  if (message.length > MAX_MESSAGE_CHARS)
    throw new ApiError(
      'ERR_API_INPUT',
      `message: ${message.length} characters, more than ${MAX_MESSAGE_CHARS}`,
    )
  const bad = firstControlCharacter(message)
  if (bad >= 0)
    throw new ApiError('ERR_API_INPUT', `message: a control character at character ${bad + 1}`)
}
