// A modal question before a destructive action. With `typeToConfirm`, the action stays disabled
// until that text (the group's name) is typed, as GitHub asks before deleting a repository.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { usePrefs } from '../../prefs'

export const ConfirmDialog = (props: {
  title: string
  children: ComponentChildren
  confirmLabel: string
  typeToConfirm?: string
  typeLabel?: string
  onConfirm(): void
  onClose(): void
}) => {
  const { t } = usePrefs()
  const ref = useRef<HTMLDialogElement>(null)
  const [typed, setTyped] = useState('')
  // showModal() traps focus and makes Escape close the dialog (the `cancel` event).
  useEffect(() => ref.current?.showModal(), [])
  const ready = props.typeToConfirm === undefined || typed.trim() === props.typeToConfirm
  return (
    <dialog
      ref={ref}
      class="kx-dialog"
      aria-labelledby="kx-confirm-title"
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          if (ready) props.onConfirm()
        }}
      >
        <h2 id="kx-confirm-title">{props.title}</h2>
        <div class="kx-dialog-body">{props.children}</div>
        {props.typeToConfirm !== undefined && (
          <label class="field">
            <span>{props.typeLabel}</span>
            <input
              type="text"
              autocomplete="off"
              spellcheck={false}
              value={typed}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
          </label>
        )}
        <div class="kx-dialog-buttons">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('kx.cancel')}
          </button>
          <button type="submit" class="btn btn-danger" disabled={!ready}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  )
}
