/** namerd's `/api/1/addr` JSON read back as an Addr (addrFromJson), and its errors. */
import test from 'ava'
import { addrToJson } from './json.js'
import { addrFromJson, NamerdJsonError } from './json-read.js'

test('bound: addresses and metadata; a non-empty meta is kept', (t) => {
  const doc = {
    type: 'bound',
    addrs: [
      { ip: '10.0.0.1', port: 8080, meta: { nodeName: 'n1', endpoint_addr_weight: 2 } },
      { ip: '::1', port: 8081, meta: {} },
    ],
    meta: { authority: 'users' },
  }
  t.deepEqual(addrFromJson(doc), {
    type: 'bound',
    addrs: [
      { host: '10.0.0.1', port: 8080, meta: { nodeName: 'n1', endpoint_addr_weight: 2 } },
      { host: '::1', port: 8081 },
    ],
    meta: { authority: 'users' },
  })
  t.deepEqual(addrToJson(addrFromJson(doc)), doc, 'written back as namerd writes it')
})

test('bound: an empty meta ({}, as namerd usually sends) or none is dropped', (t) => {
  const empty = addrFromJson({
    type: 'bound',
    addrs: [{ ip: '127.0.0.1', port: 1, meta: {} }],
    meta: {},
  })
  t.deepEqual(empty, { type: 'bound', addrs: [{ host: '127.0.0.1', port: 1 }] })
  t.false('meta' in empty)
  const none = addrFromJson({ type: 'bound', addrs: [{ ip: '127.0.0.1', port: 1 }] })
  t.deepEqual(none, { type: 'bound', addrs: [{ host: '127.0.0.1', port: 1 }] })
  t.false('meta' in none)
  t.deepEqual(addrFromJson({ type: 'bound', addrs: [], meta: {} }), { type: 'bound', addrs: [] })
})

test('failed, neg and pending', (t) => {
  t.deepEqual(addrFromJson({ type: 'failed', cause: 'no such service' }), {
    type: 'failed',
    cause: 'no such service',
  })
  t.deepEqual(addrFromJson({ type: 'neg' }), { type: 'neg' })
  t.deepEqual(addrFromJson({ type: 'pending' }), { type: 'pending' })
})

test('a document of another shape: NamerdJsonError saying where', (t) => {
  const bad: [doc: unknown, message: string][] = [
    [null, 'addr: expected an object'],
    [[], 'addr: expected an object'],
    [{}, 'addr.type: expected a string'],
    [{ type: 'bound' }, 'addr.addrs: expected a list'],
    [{ type: 'bound', addrs: ['10.0.0.1:80'] }, 'addr.addrs[0]: expected an object'],
    [
      { type: 'bound', addrs: [{ ip: '10.0.0.1', port: '80' }] },
      'addr.addrs[0].port: expected a number',
    ],
    [
      { type: 'bound', addrs: [{ host: '10.0.0.1', port: 80 }] },
      'addr.addrs[0].ip: expected a string',
    ],
    [
      {
        type: 'bound',
        addrs: [
          { ip: '10.0.0.1', port: 80 },
          { ip: '10.0.0.2', port: 80, meta: 'x' },
        ],
      },
      'addr.addrs[1].meta: expected an object',
    ],
    [{ type: 'bound', addrs: [], meta: [] }, 'addr.meta: expected an object'],
    [{ type: 'failed' }, 'addr.cause: expected a string'],
    [{ type: 'bogus' }, 'addr.type: unknown addr type "bogus"'],
  ]
  for (const [doc, message] of bad) {
    const e = t.throws(() => addrFromJson(doc), { instanceOf: NamerdJsonError, message })
    t.is(e?.code, 'ERR_NAMERD_JSON')
  }
  t.throws(() => addrFromJson({ type: 'neg!' }, 'bind.bound.addr'), {
    message: 'bind.bound.addr.type: unknown addr type "neg!"',
  })
})
