/**
 * One namespace's dtab editor: the stored dtab and its version, the edit checked as it is typed
 * (the error at its character; nothing can be saved while there is one), the difference with
 * the stored version dentry by dentry, and a save that names the version it replaces: when
 * someone else changed the dtab meanwhile, namerd refuses (412) and the conflict is shown with
 * their dtab, nothing overwritten; the edit stays, to be saved again over theirs once read.
 */
import { diffLines, dentryLines } from '../../dtabs/diff.js'
import { readDtab } from '../../dtabs/parse.js'
import { fill, h } from '../dom.js'
import { dtabProblem, problemView } from '../dtab-check.js'
import { readDtab as fetchDtab, refused, saveDtab, type Stored } from './api.js'

export class DtabEditor {
  readonly el: HTMLElement
  private stored: Stored
  private readonly text = h('textarea', {
    id: 'editor',
    rows: 14,
    spellcheck: 'false',
    'aria-label': 'Dtab',
  })
  private readonly message = h('input', {
    type: 'text',
    id: 'message',
    placeholder: 'Why (kept in the history)',
    'aria-label': 'Message',
  })
  private readonly save = h('button', { type: 'button', class: 'primary', id: 'save' }, 'Save')
  private readonly version = h('code', { id: 'version' })
  private readonly problem = h('div', { id: 'problem' })
  private readonly diff = h('pre', { class: 'diff', id: 'diff' })
  private readonly status = h('div', { id: 'save-status', role: 'status' })
  /** A save is on its way: Save stays off (another would send the same, now stale, version). */
  private saving = false

  constructor(
    readonly ns: string,
    stored: Stored,
    private readonly saved: () => void,
  ) {
    this.stored = stored
    this.text.value = stored.text
    this.text.addEventListener('input', () => this.check())
    this.save.addEventListener('click', () => void this.submit())
    this.el = h(
      'div',
      { class: 'card', 'data-namespace': ns },
      h('h2', null, 'Namespace ', h('code', null, ns), ' at version ', this.version),
      this.text,
      this.problem,
      h('h3', null, 'Changes against the stored version'),
      this.diff,
      h('p', null, this.message, ' ', this.save),
      this.status,
    )
    this.check()
  }

  /** Checks the edit: its syntax error, its difference, whether it can be saved. */
  private check(): void {
    fill(this.version, this.stored.version)
    const problem = dtabProblem(this.text.value)
    fill(this.problem, problemView(this.text.value, problem))
    const changes = problem === undefined ? this.changes() : []
    fill(
      this.diff,
      changes.length === 0
        ? problem === undefined
          ? 'no change'
          : 'fix the error to see the changes'
        : changes.map((c) =>
            h(
              'div',
              { class: c.op === '+' ? 'add' : c.op === '-' ? 'del' : 'same' },
              `${c.op} ${c.dentry}`,
            ),
          ),
    )
    this.save.disabled = this.saving || problem !== undefined || !changes.some((c) => c.op !== ' ')
  }

  private changes() {
    return diffLines(
      dentryLines(readDtab(this.stored.text)),
      dentryLines(readDtab(this.text.value)),
    )
  }

  private async submit(): Promise<void> {
    if (this.saving || dtabProblem(this.text.value) !== undefined) return
    this.saving = true
    this.save.disabled = true
    fill(this.status, 'saving…')
    try {
      await saveDtab(this.ns, this.text.value, this.stored.version, this.message.value)
      this.stored = await fetchDtab(this.ns)
      this.message.value = ''
      fill(this.status, h('span', { class: 'good' }, `saved: now version ${this.stored.version}`))
      this.saved()
    } catch (e) {
      await this.failed(e)
    }
    this.saving = false
    this.check()
  }

  /** Shows why a save failed: a conflict, or (reading their version failed too) the error. */
  private async failed(e: unknown): Promise<void> {
    let error = e
    try {
      if (refused(e, 412)) return await this.conflict()
    } catch (again) {
      error = again
    }
    fill(this.status, h('span', { class: 'bad' }, `not saved: ${(error as Error).message}`))
  }

  /** Someone else saved first: their dtab becomes the base, the edit is kept, nothing is written. */
  private async conflict(): Promise<void> {
    const mine = this.stored.version
    const theirs = await fetchDtab(this.ns)
    this.stored = theirs
    fill(
      this.status,
      h(
        'div',
        { class: 'bad', id: 'conflict', role: 'alert' },
        `not saved: the dtab changed since version ${mine} was read; it is now version ${theirs.version}. `,
        'Nothing was overwritten. The changes below are now against their version; save again to replace it.',
        h('pre', null, theirs.text),
      ),
    )
  }
}
