import test from 'ava'
import { roundRobinSchedule, slotCounts } from './rr-schedule.js'

test('roundRobinSchedule: cycles by hand', (t) => {
  const table: [number[], number[]][] = [
    [[], []],
    [[1], [0]],
    [
      [1, 1, 1],
      [0, 1, 2],
    ],
    [
      [7, 7],
      [0, 1],
    ],
    // 3:1 → slots at 1/6, 1/2, 5/6 and 1/2 (tie: lower index first).
    [
      [3, 1],
      [0, 0, 1, 0],
    ],
    // 0.5:1.5 → 1:3 → 1 at 1/6; 0 at 1/2, 1 at 1/2; 1 at 5/6.
    [
      [0.5, 1.5],
      [1, 0, 1, 1],
    ],
    [
      [0, 2, 2],
      [1, 2],
    ],
    [
      [0, 0],
      [0, 1],
    ],
    // 2:1:1 → 0 at 1/4 and 3/4, 1 and 2 at 1/2.
    [
      [2, 1, 1],
      [0, 1, 2, 0],
    ],
  ]
  for (const [weights, expected] of table) {
    t.deepEqual([...roundRobinSchedule(weights)], expected, String(weights))
  }
})

test('slotCounts: exact ratios to three decimals, apportioned beyond 4096 slots', (t) => {
  t.deepEqual(slotCounts([1, 1.25]), [4, 5])
  t.deepEqual(slotCounts([1, 1.001]), [1000, 1001])
  t.deepEqual(slotCounts([0.001, 0.002]), [1, 2])
  // Below 1/1000 a positive weight still gets its slot.
  t.deepEqual(slotCounts([0.0001, 1]), [1, 1000])
  // 1e6:1:1 → quotas 4095.99…, 0.004, 0.004 of 4096; each positive weight gets at least 1.
  t.deepEqual(slotCounts([1e6, 1, 1]), [4095, 1, 1])
  // 1000:1:0.5 → 1000000:1000:500 (÷500: 2000:2:1) fits.
  t.deepEqual(slotCounts([1000, 1, 0.5]), [2000, 2, 1])
  // 4000:1.5:0.7 → 4000000:1500:700 (÷100: 40000:15:7) does not: 4096 × shares.
  t.deepEqual(slotCounts([4000, 1.5, 0.7]), [4094, 1, 1])
})
