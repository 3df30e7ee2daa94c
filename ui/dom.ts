/**
 * The pages' only way to make DOM: `h(tag, props, ...children)`. A string child always becomes
 * a text node and a prop always an attribute value (or, for `on…` props, a listener), so no
 * name, dtab or header value from a router or namerd can ever be read as HTML. Nothing in ui/
 * writes `innerHTML` (the lint forbids it).
 */

/** What a child may be: nodes, text (numbers too), nothing, or lists of those. */
export type Child = Node | string | number | null | undefined | false | readonly Child[]

/** Attributes (set with `setAttribute`) and `on<event>` listeners. */
export type Props = Readonly<
  Record<string, string | number | boolean | undefined | ((e: Event) => void)>
>

/** Attributes holding a URL: only paths of this server (never `javascript:`). */
const URL_PROPS = new Set(['href', 'src', 'action', 'formaction'])

/**
 * A URL of this server: `/path` (not `//host` nor `/\host`, which browsers read as another
 * host), `?query` or `#fragment`. URL parsing drops tabs and newlines, so they are looked through.
 */
function isLocalUrl(url: string): boolean {
  return /^(?:\/(?![/\\])|[?#])/.test(url.replace(/[\t\n\r]/g, ''))
}

/** An element with `props` and `children`; a `false` or undefined attribute is left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(props ?? {})) {
    // Attribute names are case-insensitive: `ONCLICK` would be an inline handler too.
    const listener = name.toLowerCase().startsWith('on')
    if (listener !== (typeof value === 'function'))
      throw new Error(`${name}: listeners, and only they, are functions`)
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value)
    else if (URL_PROPS.has(name.toLowerCase()) && !isLocalUrl(String(value)))
      throw new Error(`${name}: only links within this server`)
    else if (value === true) el.setAttribute(name, '')
    else if (value !== false && value !== undefined) el.setAttribute(name, String(value))
  }
  el.append(...nodes(children))
  return el
}

/** The children as nodes, strings and numbers as text nodes. */
export function nodes(children: readonly Child[]): Node[] {
  const out: Node[] = []
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (typeof c === 'string' || typeof c === 'number') out.push(document.createTextNode(String(c)))
    else if (c instanceof Node) out.push(c)
    else out.push(...nodes(c))
  }
  return out
}

/** Replaces what `el` holds with `children`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...nodes(children))
}

/** The element with this id (the page's shell makes them); throws when it is missing. */
export function byId(id: string): HTMLElement {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`no element #${id}`)
  return el
}
