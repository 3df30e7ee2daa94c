import test from 'ava'
import { Cell } from '../../dtabs/index.js'
import { WatchFeeds } from './feeds.js'
import type { Rendered } from './live.js'

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

test('streams of one key share one source and the same Buffer per document; other keys do not', async (t) => {
  const feeds = new WatchFeeds()
  const doc = new Cell<Rendered>('v1')
  let made = 0
  const make = () => {
    made += 1
    return doc
  }
  const seen: (Buffer | undefined)[] = []
  const a = feeds.feed('dtab x', make)
  const stops = [a.subscribe((f) => seen.push(f))]
  const b = feeds.feed('dtab x', make)
  stops.push(b.subscribe((f) => seen.push(f)))
  t.is(a, b)
  t.is(made, 1)
  t.is(a.get()?.toString(), 'v1\n')
  doc.set('v2')
  await tick()
  t.deepEqual(
    seen.map((f) => f?.toString()),
    ['v1\n', 'v1\n', 'v2\n', 'v2\n'],
  )
  t.is(seen[2], seen[3], 'both streams got the very same Buffer')
  const other = feeds.feed('dtab y', make)
  const stopOther = other.subscribe(() => {})
  t.is(made, 2)
  t.is(feeds.size, 2)
  for (const stop of [...stops, stopOther]) stop()
  t.is(feeds.size, 0, 'a feed is forgotten when its last stream closes')
  feeds.feed('dtab x', make).subscribe(() => {})()
  t.is(made, 3, 'and made again for the next stream')
})

test('an equal document keeps its frame; an error becomes a JSON error line', async (t) => {
  const feeds = new WatchFeeds()
  const doc = new Cell<Rendered>(undefined)
  const feed = feeds.feed('k', () => doc)
  const stop = feed.subscribe(() => {})
  t.is(feed.get(), undefined, 'nothing before the first document')
  doc.set('same')
  await tick()
  const first = feed.get()
  doc.set({ error: new Error('boom') })
  await tick()
  t.regex(
    feed.get()?.toString() ?? '',
    /^\{"error":\{"code":"ERR_INTERNAL","message":"boom"\}\}\n$/,
  )
  doc.set('same')
  await tick()
  const again = feed.get()
  t.is(again?.toString(), 'same\n')
  t.not(again, first, 'a change back is a new document')
  doc.set('same')
  await tick()
  t.is(feed.get(), again)
  stop()
})
