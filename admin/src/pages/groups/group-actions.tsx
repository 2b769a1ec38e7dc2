// The chosen group's header: what it is, and its actions — edit, enable/disable, copy (with or
// without its keys) and delete, which asks for the group's name to be typed.
import { useEffect, useRef, useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Group } from '../../types'
import { ErrorBox } from '../../ui'

type CopyKeys = 'none' | 'valid_only' | 'all'

const DeleteDialog = (props: { group: Group; onDeleted(): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const ref = useRef<HTMLDialogElement>(null)
  const [typed, setTyped] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const { name } = props.group
  const remove = async (e: Event) => {
    e.preventDefault()
    if (typed !== name) return
    setBusy(true)
    setError(null)
    try {
      await api.del(`/groups/${props.group.id}`)
      ref.current?.close()
      props.onDeleted()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button
        type="button"
        class="btn btn-danger"
        onClick={() => {
          setTyped('')
          setError(null)
          ref.current?.showModal()
        }}
      >
        {t('grp.delete')}
      </button>
      <dialog ref={ref} class="confirm" aria-labelledby="del-title">
        <form onSubmit={remove}>
          <h2 id="del-title">{t('grp.deleteTitle', { name })}</h2>
          <p>{t('grp.deleteWarn')}</p>
          {error && <ErrorBox message={error} />}
          <div class="field">
            <label for="del-name">{t('grp.typeName', { name })}</label>
            <input
              id="del-name"
              autocomplete="off"
              value={typed}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
          </div>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => ref.current?.close()}>
              {t('grp.cancel')}
            </button>
            <button type="submit" class="btn btn-danger" disabled={typed !== name || busy}>
              {t('grp.deleteForever')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  )
}

export const GroupActions = (props: {
  group: Group
  onChanged(): void
  onCopied(id: number): void
  onDeleted(): void
}) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const g = props.group
  const [copyKeys, setCopyKeys] = useState<CopyKeys>('none')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // Shown at once; put back if the API refuses the change.
  const [enabled, setEnabled] = useState(g.enabled)
  useEffect(() => setEnabled(g.enabled), [g.enabled])
  const run = async (action: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await action()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card group-header" aria-labelledby="gh-title">
      <div class="group-title">
        <h2 id="gh-title">
          {g.display_name || g.name}
          {g.display_name && <span class="muted"> · {g.name}</span>}
        </h2>
        <span class="badge">
          {g.group_type === 'aggregate' ? t('grp.aggregate') : t('grp.standard')}
        </span>
        <span class="badge">{g.channel_type}</span>
        {!g.enabled && <span class="badge badge-medium">{t('groups.disabled')}</span>}
      </div>
      {g.description && <p class="muted">{g.description}</p>}
      {error && <ErrorBox message={error} />}
      <div class="group-actions">
        <a class="btn" href={`/groups/${g.id}/edit`}>
          {t('grp.edit')}
        </a>
        <label class="check switch">
          <input
            type="checkbox"
            role="switch"
            checked={enabled}
            disabled={busy}
            onChange={(e) => {
              const next = e.currentTarget.checked
              setEnabled(next)
              void run(async () => {
                try {
                  await api.put(`/groups/${g.id}/enabled`, { enabled: next })
                } catch (err) {
                  setEnabled(!next)
                  throw err
                }
                props.onChanged()
              })
            }}
          />
          <span>{t('grp.enabled')}</span>
        </label>
        <span class="copy-group">
          <label class="muted" for="copy-keys">
            {t('grp.copyKeys')}
          </label>
          <select
            id="copy-keys"
            value={copyKeys}
            disabled={g.group_type === 'aggregate'}
            onChange={(e) => setCopyKeys(e.currentTarget.value as CopyKeys)}
          >
            <option value="none">{t('grp.copyNone')}</option>
            <option value="valid_only">{t('grp.copyValid')}</option>
            <option value="all">{t('grp.copyAll')}</option>
          </select>
          <button
            type="button"
            class="btn"
            disabled={busy}
            onClick={() =>
              run(async () => {
                const r = await api.post<{ group: Group }>(`/groups/${g.id}/copy`, {
                  copy_keys: copyKeys,
                })
                props.onCopied(r.group.id)
              })
            }
          >
            {t('grp.copy')}
          </button>
        </span>
        <DeleteDialog group={g} onDeleted={props.onDeleted} />
      </div>
    </section>
  )
}
