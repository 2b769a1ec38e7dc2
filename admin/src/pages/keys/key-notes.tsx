// A key's notes, edited in place: Enter or Save stores them (PUT /api/keys/{id}/notes),
// Escape or Cancel leaves them as they were.
import { useState } from 'preact/hooks'
import { usePrefs } from '../../prefs'

export const KeyNotes = (props: {
  notes: string
  label: string
  onSave(notes: string): Promise<boolean>
}) => {
  const { t } = usePrefs()
  const [draft, setDraft] = useState<string | null>(null)
  if (draft === null) {
    return (
      <div class="kx-notes">
        {props.notes && <span title={props.notes}>{props.notes}</span>}
        <button
          type="button"
          class="btn btn-small btn-quiet"
          aria-label={`${t('kx.editNotes')}: ${props.label}`}
          title={t('kx.editNotes')}
          onClick={() => setDraft(props.notes)}
        >
          <span aria-hidden="true">{props.notes ? '✎' : `✎ ${t('kx.notes')}`}</span>
        </button>
      </div>
    )
  }
  return (
    <form
      class="kx-notes"
      onSubmit={async (e) => {
        e.preventDefault()
        if (await props.onSave(draft.trim())) setDraft(null)
      }}
    >
      <input
        type="text"
        maxLength={255}
        aria-label={t('kx.notesFor', { key: props.label })}
        value={draft}
        ref={(el) => el?.focus()}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
      />
      <button type="submit" class="btn btn-small btn-primary">
        {t('kx.save')}
      </button>
      <button type="button" class="btn btn-small" onClick={() => setDraft(null)}>
        {t('kx.cancel')}
      </button>
    </form>
  )
}
