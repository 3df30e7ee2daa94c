import test from 'ava'
import { diffLines } from '../dtabs/diff.js'
import { diffJson, renderDiff } from './diff.js'

test('rendered as "- ", "+ ", "  " lines; JSON with the version it is from', (t) => {
  const changes = diffLines(['/a => /b', '/c => /d'], ['/a => /b', '/c => /e'])
  t.is(renderDiff(changes), '  /a => /b\n- /c => /d\n+ /c => /e\n')
  t.deepEqual(JSON.parse(diffJson('v1', changes)), {
    from: 'v1',
    changes: [
      { op: ' ', dentry: '/a => /b' },
      { op: '-', dentry: '/c => /d' },
      { op: '+', dentry: '/c => /e' },
    ],
  })
})
