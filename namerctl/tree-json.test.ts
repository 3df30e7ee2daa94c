import test from 'ava'
import {
  boundTreeToJson,
  delegateTreeToJson,
  readDtab,
  readPath,
  type Dtab,
} from '../dtabs/index.js'
import { bindOffline, delegateOffline, offlineNamers } from './offline.js'
import { renderBoundTree, renderDelegateTree } from './render.js'
import { boundTreeFromJson, delegateTreeFromJson } from './tree-json.js'
import { exitStatusOf } from './exit.js'

// Online output must be the offline rendering: namerd's JSON (made here by the same encoder
// namerd uses) read back and rendered must give the lines the offline tree gives.
const DTABS = [
  '/svc => /$/inet/127.0.0.1/8080',
  '/svc => /srv; /srv => 3 * /$/inet/127.0.0.1/1 & 1 * /$/inet/127.0.0.1/2',
  '/svc/a => /x | /$/inet/127.0.0.1/3; /x => ~',
  '/svc/a => ! | /y; /y => $',
  '/svc => /$/fail',
  '/svc/a => ~',
  '/svc/a => /b; /svc/a => /c; /c => /$/nil',
  '/svc/a => (/p & 2*/q) | !; /p => /$/inet/127.0.0.1/4; /q => /$/inet/127.0.0.1/5',
]

async function both(dtab: Dtab, path: string) {
  const { namers, close } = offlineNamers(undefined)
  try {
    const p = readPath(path)
    return {
      del: await delegateOffline(dtab, namers, p),
      bound: await bindOffline(dtab, namers, p),
    }
  } catch {
    return undefined
  } finally {
    close()
  }
}

test('delegate and bind JSON read back render exactly as the offline trees do', async (t) => {
  for (const text of DTABS) {
    const trees = await both(readDtab(text), '/svc/a')
    if (trees === undefined) {
      t.fail(`offline resolution failed for ${text}`)
      continue
    }
    const delJson = JSON.parse(JSON.stringify(delegateTreeToJson(trees.del))) as unknown
    t.deepEqual(
      renderDelegateTree(delegateTreeFromJson(delJson)),
      renderDelegateTree(trees.del),
      text,
    )
    const boundJson = JSON.parse(JSON.stringify(boundTreeToJson(trees.bound))) as unknown
    t.deepEqual(renderBoundTree(boundTreeFromJson(boundJson)), renderBoundTree(trees.bound), text)
  }
})

test('a JSON body of another shape is an unexpected response (exit 9) naming the place', (t) => {
  const cases: [unknown, RegExp][] = [
    [[], /delegate: expected an object/],
    [{ type: 'nope', path: '/a' }, /delegate\.type: unknown node type "nope"/],
    [
      { type: 'delegate', path: '/a', delegate: { type: 'leaf', path: '/b' } },
      /delegate\.delegate\.bound: expected an object/,
    ],
    [{ type: 'neg', path: 'no slash' }, /delegate\.path: /],
    [{ type: 'neg', path: '/a', dentry: { prefix: '/a', dst: '&' } }, /delegate\.dentry\.dst: /],
  ]
  for (const [json, message] of cases) {
    const e = t.throws(() => delegateTreeFromJson(json), { message }, JSON.stringify(json))
    t.is(exitStatusOf(e), 9)
  }
  const e = t.throws(
    () => boundTreeFromJson({ type: 'union', union: [{ tree: { type: 'neg' } }] }),
    {
      message: /bind\.union\[0\]\.weight: expected a number/,
    },
  )
  t.is(exitStatusOf(e), 9)
})
