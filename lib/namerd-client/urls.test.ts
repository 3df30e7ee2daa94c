import test from 'ava'
import { apiUrl } from './urls.js'

test('apiUrl: <base>/api/1/<path> with one slash between, the base path kept', (t) => {
  t.is(apiUrl('http://h:1', 'dtabs'), 'http://h:1/api/1/dtabs')
  t.is(apiUrl('http://h:1/ns/', '/dtabs/x'), 'http://h:1/ns/api/1/dtabs/x')
})

test('apiUrl: query values encoded, undefined ones omitted, no empty ?', (t) => {
  const url = apiUrl('http://h:1', 'bind/default', { path: '/svc/a b', dtab: undefined })
  t.is(url, 'http://h:1/api/1/bind/default?path=%2Fsvc%2Fa+b')
  t.is(apiUrl('http://h:1', 'dtabs/x', { watch: undefined }), 'http://h:1/api/1/dtabs/x')
  t.is(
    apiUrl('http://h:1', 'bind/ns', { path: '/a', dtab: '', watch: 'true' }),
    'http://h:1/api/1/bind/ns?path=%2Fa&dtab=&watch=true',
  )
})
