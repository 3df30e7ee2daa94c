/**
 * Weight printing exactly as Finagle's `f"$w%.2f"` (Java `String.format("%.2f")`): fixed
 * notation, two decimals, rounded half-up on the shortest decimal representation of the
 * double (not on its exact binary value, which is what `toFixed` rounds). So 1.115 prints
 * `1.12` and 1e22 prints `10000000000000000000000.00`.
 */
export function formatWeight(w: number): string {
  if (Number.isNaN(w)) return 'NaN'
  if (!Number.isFinite(w)) return w > 0 ? 'Infinity' : '-Infinity'
  const negative = w < 0 || Object.is(w, -0)
  const [mantissa = '0', exp = '0'] = Math.abs(w).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const fixed = roundHalfUp(toFixedDigits(digits, Number(exp)))
  return (negative ? '-' : '') + fixed
}

/** The integer and fraction digit strings of `d.ddd × 10^exp`. */
function toFixedDigits(digits: string, exp: number): { int: string; frac: string } {
  if (exp >= 0) {
    return { int: digits.slice(0, exp + 1).padEnd(exp + 1, '0'), frac: digits.slice(exp + 1) }
  }
  return { int: '0', frac: '0'.repeat(-exp - 1) + digits }
}

function roundHalfUp({ int, frac }: { int: string; frac: string }): string {
  const kept = (int + frac.slice(0, 2).padEnd(2, '0')).split('')
  if (frac.length > 2 && (frac.charCodeAt(2) ?? 48) >= 53) increment(kept)
  const all = kept.join('')
  return `${all.slice(0, -2)}.${all.slice(-2)}`
}

/** Adds one to a decimal digit array in place, growing it on carry out of the top digit. */
function increment(d: string[]): void {
  for (let i = d.length - 1; i >= 0; i--) {
    if (d[i] === '9') {
      d[i] = '0'
    } else {
      d[i] = String(Number(d[i]) + 1)
      return
    }
  }
  d.unshift('1')
}
