// A generic editor for a list of rows (add, edit in place, remove), which the group form's
// upstream, redirect and header rows share.
import type { ComponentChildren } from 'preact'

/** Replaces item `i` of a list with `patch` applied. */
const patchAt = <T,>(list: T[], i: number, patch: Partial<T>): T[] =>
  list.map((item, j) => (j === i ? { ...item, ...patch } : item))
const removeAt = <T,>(list: T[], i: number): T[] => list.filter((_, j) => j !== i)

/**
 * A list of rows edited in place: `children` draws a row's inputs (with `set` to patch it and
 * its 1-based number `n` for labels), followed by its remove button; `blank` is what Add appends.
 */
export const RowList = <T,>(props: {
  rows: T[]
  onChange(rows: T[]): void
  blank: T
  addLabel: string
  removeLabel(n: number): string
  children(row: T, set: (patch: Partial<T>) => void, n: number): ComponentChildren
}) => {
  const { rows, onChange } = props
  return (
    <>
      {rows.map((r, i) => (
        <div class="row-edit">
          {props.children(r, (patch) => onChange(patchAt(rows, i, patch)), i + 1)}
          <button
            type="button"
            class="btn btn-small"
            aria-label={props.removeLabel(i + 1)}
            onClick={() => onChange(removeAt(rows, i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" class="btn btn-small" onClick={() => onChange([...rows, props.blank])}>
        {props.addLabel}
      </button>
    </>
  )
}

/** A text input of a row that fills the width left. */
export const RowInput = (props: {
  label: string
  value: string
  placeholder?: string
  disabled?: boolean
  onInput(value: string): void
}) => (
  <input
    class="grow"
    aria-label={props.label}
    placeholder={props.placeholder}
    value={props.value}
    disabled={props.disabled}
    onInput={(e) => props.onInput(e.currentTarget.value)}
  />
)
