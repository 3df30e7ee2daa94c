import test from 'ava'
import { BoundNames } from './bound-names.js'

test('keeps a sorted list of distinct ids, forgetting the oldest past its bound', (t) => {
  const b = new BoundNames(3)
  for (const id of ['/#/c', '/#/a', '/#/a', '/#/b']) b.add(id)
  t.deepEqual(b.names.get(), ['/#/a', '/#/b', '/#/c'])
  b.add('/#/d')
  t.deepEqual(b.names.get(), ['/#/a', '/#/b', '/#/d'], '/#/c was the oldest')
})
