const HEX = '0123456789abcdef'

/**
 * A fresh `l5d-reqid`: 16 lower-case hex digits (a 64-bit id), as linkerd's root trace id is
 * printed. Not cryptographic: it correlates requests, it does not protect anything.
 */
export function newRequestId(random: () => number = Math.random): string {
  let out = ''
  for (let i = 0; i < 2; i++) {
    let n = Math.floor(random() * 0x100000000)
    for (let j = 0; j < 8; j++) {
      out += HEX.charAt(n & 15)
      n >>>= 4
    }
  }
  return out
}
