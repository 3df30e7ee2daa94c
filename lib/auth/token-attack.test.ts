/**
 * Token files no client can present (issue 15's attack tests): `Authorization: Bearer` carries
 * one b64token (RFC 6750: letters, digits, `-._~+/`, then `=`s). A token with a space, a line
 * break or a character outside Latin-1 is read at start without complaint, and then every
 * request is refused: namerd's check takes the header's first word only, and Node's clients
 * (namerctl) refuse to send such a header at all.
 */
import test from 'ava'
import { BearerGuard } from './bearer.js'
import { readToken, TokenError } from './token.js'

const UNSENDABLE = ['two words', 'line\nbreak', 'tab\there', 'euro€sign']

for (const token of UNSENDABLE) {
  test(`a token ${JSON.stringify(token)} is refused when read, or accepted when sent`, (t) => {
    const env = { TOKEN: `${token}\n` }
    let read: string
    try {
      read = readToken({ tokenEnv: 'TOKEN' }, env)
    } catch (e) {
      t.true(e instanceof TokenError)
      t.false((e as Error).message.includes(token), 'the message never shows the token')
      return
    }
    // Read without complaint: then a client sending it must get through. Node's HTTP server
    // reads header bytes as Latin-1: a UTF-8 client's `€` arrives as three characters.
    const received = Buffer.from(read, 'utf8').toString('latin1')
    process.env.TOKEN_ATTACK = read
    const guard = new BearerGuard({ tokenEnv: 'TOKEN_ATTACK' })
    t.teardown(() => guard.close())
    t.notThrows(
      () => guard.check(`Bearer ${received}`),
      'a token read at start that no request can carry',
    )
  })
}

test('a b64token with its padding is accepted (the refusal above must not catch it)', (t) => {
  const token = 'aB3-._~+/x=='
  t.is(readToken({ tokenEnv: 'TOKEN' }, { TOKEN: `${token}\n` }), token)
  process.env.TOKEN_ATTACK_OK = token
  const guard = new BearerGuard({ tokenEnv: 'TOKEN_ATTACK_OK' })
  t.teardown(() => guard.close())
  t.notThrows(() => guard.check(`Bearer ${token}`))
})
