// Section numbers (§) are those of docs/dtab-semantics.md.
import test from 'ava'
import { makeRng, type Rng } from '../testing/random.js'
import { formatWeight } from './weight.js'

// §3.3: Java's String.format("%.2f"): half-up on the shortest decimal string of the double.
const TABLE: [number, string][] = [
  [0.5, '0.50'],
  [0.333, '0.33'],
  [0.125, '0.13'],
  [1.115, '1.12'],
  [8.345, '8.35'],
  [0.285, '0.29'],
  [0.996, '1.00'],
  [0.004, '0.00'],
  [99.995, '100.00'],
  [1e22, '10000000000000000000000.00'],
  [1e21, '1000000000000000000000.00'],
  [1.005, '1.01'],
  [2.675, '2.68'],
  [0.015, '0.02'],
  [0.005, '0.01'],
  [0.0049999, '0.00'],
  [9.995, '10.00'],
  [999.999, '1000.00'],
  [0, '0.00'],
  [1, '1.00'],
  [2, '2.00'],
  [7, '7.00'],
  [1234.5, '1234.50'],
  [123456789.125, '123456789.13'],
  [0.01, '0.01'],
  [0.1, '0.10'],
  [0.07, '0.07'],
  [1e-7, '0.00'],
  [5e-324, '0.00'],
  [1.0000000000000002, '1.00'],
  [Number('0.99999999999999999999'), '1.00'],
]

test('formatWeight rounds the shortest decimal half-up to two places (§3.3)', (t) => {
  for (const [w, expected] of TABLE) t.is(formatWeight(w), expected, String(w))
})

test('formatWeight on negatives, -0, NaN and infinities follows Java’s Formatter', (t) => {
  // Java prints the sign of anything below zero (Double.compare), -0.0 included.
  t.is(formatWeight(-0.5), '-0.50')
  t.is(formatWeight(-1.115), '-1.12')
  t.is(formatWeight(-0.001), '-0.00')
  t.is(formatWeight(-0), '-0.00')
  t.is(formatWeight(Number.NaN), 'NaN')
  t.is(formatWeight(Number.POSITIVE_INFINITY), 'Infinity')
  t.is(formatWeight(Number.NEGATIVE_INFINITY), '-Infinity')
})

/** A decimal with 1 to 9 integer digits and 0 to 6 fraction digits: at most 15 significant. */
function randomDecimal(r: Rng): string {
  let int = String(r.int(10 ** r.range(1, 9)))
  let frac = ''
  for (let n = r.int(7); n > 0; n--) frac += String(r.int(10))
  // Ties (a 5 in the third decimal and nothing after it) are where rounding modes differ.
  if (r.chance(0.3)) frac = frac.slice(0, 2).padEnd(2, String(r.int(10))) + '5'
  if (r.chance(0.1)) int = '0'
  return frac === '' ? int : `${int}.${frac}`
}

/** Exact half-up rounding to two decimals of a decimal string, in BigInt arithmetic. */
function halfUp(decimal: string): string {
  const [int = '0', frac = ''] = decimal.split('.')
  const millionths = BigInt(int) * 1_000_000n + BigInt(frac.padEnd(6, '0'))
  const hundredths = (millionths + 5_000n) / 10_000n
  const digits = hundredths.toString().padStart(3, '0')
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`
}

test('halfUp, the oracle, on hand-checked values', (t) => {
  t.is(halfUp('1.115'), '1.12')
  t.is(halfUp('1.114999'), '1.11')
  t.is(halfUp('99.995'), '100.00')
  t.is(halfUp('0.004'), '0.00')
  t.is(halfUp('7'), '7.00')
  t.is(halfUp('0.5'), '0.50')
})

test('formatWeight agrees with exact decimal half-up rounding on random decimals', (t) => {
  const r = makeRng(0x5eed)
  const wrong: [string, string, string][] = []
  for (let i = 0; i < 20_000 && wrong.length < 5; i++) {
    const decimal = randomDecimal(r)
    const actual = formatWeight(Number(decimal))
    const expected = halfUp(decimal)
    if (actual !== expected) wrong.push([decimal, actual, expected])
  }
  t.deepEqual(wrong, [])
})
