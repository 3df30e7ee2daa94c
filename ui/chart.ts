/** A small line chart (SVG) of the last values of one figure, newest on the right. */

const SVG = 'http://www.w3.org/2000/svg'

/**
 * A `width`×`height` sparkline of `values` over `slots` places (the history's length), scaled
 * from 0 to the largest value (or `max` when given); nulls break the line.
 */
export function sparkline(
  values: readonly (number | null)[],
  o: { slots: number; width?: number; height?: number; max?: number; label: string },
): SVGSVGElement {
  const width = o.width ?? 160
  const height = o.height ?? 32
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('width', String(width))
  svg.setAttribute('height', String(height))
  svg.setAttribute('role', 'img')
  svg.setAttribute('aria-label', o.label)
  svg.classList.add('spark')
  const top = o.max ?? Math.max(0, ...values.filter((v): v is number => v !== null))
  const step = width / Math.max(1, o.slots - 1)
  const start = o.slots - values.length
  const y = (v: number) => height - 1 - (top > 0 ? (v / top) * (height - 2) : 0)
  let points: string[] = []
  const flush = () => {
    if (points.length > 0) svg.append(polyline(points))
    points = []
  }
  values.forEach((v, i) => {
    if (v === null) return flush()
    points.push(`${((start + i) * step).toFixed(1)},${y(v).toFixed(1)}`)
  })
  flush()
  return svg
}

function polyline(points: readonly string[]): SVGPolylineElement {
  const line = document.createElementNS(SVG, 'polyline')
  line.setAttribute('points', points.length === 1 ? `${points[0]} ${points[0]}` : points.join(' '))
  return line
}
