/**
 * C0 control characters and DEL: what a one-line message must not hold (namerd refuses them in
 * a write's message; namerctl keeps them off the terminal when it quotes another server's words).
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** The index of the first control character in `text`, or -1. */
export function firstControlCharacter(text: string): number {
  return CONTROL.exec(text)?.index ?? -1
}

/** `text` with each control character replaced by a space. */
export function withoutControls(text: string): string {
  return text.replace(new RegExp(CONTROL.source, 'g'), ' ')
}
