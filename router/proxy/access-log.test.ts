import test from 'ava'
import { accessLogTime } from './access-log.js'

test('access log time is dd/MM/yyyy:HH:mm:ss in UTC', (t) => {
  t.is(accessLogTime(new Date(Date.UTC(2026, 0, 5, 3, 4, 9))), '05/01/2026:03:04:09 +0000')
  t.is(accessLogTime(new Date(Date.UTC(2026, 10, 24, 23, 59, 59))), '24/11/2026:23:59:59 +0000')
})
