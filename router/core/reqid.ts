const HEX = '0123456789abcdef'

function hex32(n: number): string {
  let out = ''
  for (let shift = 28; shift >= 0; shift -= 4) out += HEX.charAt((n >>> shift) & 15)
  return out
}

/**
 * `l5d-reqid` values: 16 lower-case hex digits (a 64-bit id, as linkerd prints its root trace
 * id). The high half is random per generator, the low half a counter, so ids are unique within
 * a process and unlikely to collide across processes. Not cryptographic: they correlate
 * requests, they protect nothing.
 */
export class RequestIds {
  private readonly prefix: string
  private counter: number

  constructor(random: () => number = Math.random) {
    this.prefix = hex32(Math.floor(random() * 0x100000000))
    this.counter = Math.floor(random() * 0x100000000)
  }

  next(): string {
    this.counter = (this.counter + 1) >>> 0
    return this.prefix + hex32(this.counter)
  }
}
