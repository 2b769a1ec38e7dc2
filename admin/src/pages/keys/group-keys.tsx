// A standard group's key maintenance: export (a Blob fetched with the admin key in a header),
// validate-group with progress, restore all invalid keys, and the clear actions (clear-keys.tsx).
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Group } from '../../types'
import { ErrorBox } from '../../ui'
import { ClearKeys } from './clear-keys'
import type { Notice } from './key-ops'
import { NoticeBox } from './notice'
import { TaskProgress, useTask } from './use-task'

type Which = 'all' | 'active' | 'invalid'

const save = (blob: Blob, filename: string) => {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  // Revoked a moment later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A toolbar: which keys to act on, then the buttons (`children`) that act on them. */
const WhichBar = (props: {
  id: string
  label: string
  value: Which
  onChange(w: Which): void
  children: ComponentChildren
}) => {
  const { t } = usePrefs()
  return (
    <div class="toolbar">
      <div>
        <label for={props.id}>{props.label}</label>
        <select
          id={props.id}
          value={props.value}
          onChange={(e) => props.onChange(e.currentTarget.value as Which)}
        >
          <option value="all">{t('keys.all')}</option>
          <option value="active">{t('keys.active')}</option>
          <option value="invalid">{t('keys.invalid')}</option>
        </select>
      </div>
      {props.children}
    </div>
  )
}

export const GroupKeys = ({ group, onChanged }: { group: Group; onChanged(): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const [exportWhich, setExportWhich] = useState<Which>('all')
  const [validateWhich, setValidateWhich] = useState<Which>('all')
  const [notice, setNotice] = useState<Notice | null>(null)
  const [busy, setBusy] = useState(false)
  const validation = useTask((s) => {
    const r = s.result ?? {}
    setNotice(
      s.error
        ? { tone: 'bad', text: t('gk.taskFailed', { error: s.error }) }
        : {
            tone: 'ok',
            text: t('gk.validated', {
              total: r.total_keys ?? 0,
              valid: r.valid_keys ?? 0,
              invalid: r.invalid_keys ?? 0,
            }),
          },
    )
    onChanged()
  })

  const act = async (fn: () => Promise<string>) => {
    setBusy(true)
    setNotice(null)
    try {
      setNotice({ tone: 'ok', text: await fn() })
    } catch (err) {
      setNotice({ tone: 'bad', text: (err as Error).message })
    } finally {
      setBusy(false)
    }
  }
  const exportKeys = () =>
    act(async () => {
      const { blob, filename } = await api.download('/keys/export', {
        group_id: group.id,
        status: exportWhich,
      })
      const name = filename ?? `keys-${group.name}-${exportWhich}.txt`
      save(blob, name)
      return t('gk.exported', { file: name })
    })
  const groupOp = (path: string, done: string) =>
    act(async () => {
      await api.post(path, { group_id: group.id })
      onChanged()
      return done
    })
  const validate = () => {
    setNotice(null)
    void validation.start(() =>
      api.post('/keys/validate-group', {
        group_id: group.id,
        status: validateWhich === 'all' ? undefined : validateWhich,
      }),
    )
  }

  const task = validation.task
  const off = busy || validation.running
  return (
    <section class="card" aria-labelledby="gk-title">
      <h2 id="gk-title">{t('gk.title', { group: group.display_name || group.name })}</h2>
      <div class="gk-rows">
        <WhichBar
          id="gk-export"
          label={t('gk.exportWhich')}
          value={exportWhich}
          onChange={setExportWhich}
        >
          <button type="button" class="btn" disabled={off} onClick={exportKeys}>
            {t('gk.export')}
          </button>
        </WhichBar>
        <WhichBar
          id="gk-validate"
          label={t('gk.validateWhich')}
          value={validateWhich}
          onChange={setValidateWhich}
        >
          <button type="button" class="btn" disabled={off} onClick={validate}>
            {t('gk.validate')}
          </button>
          <button
            type="button"
            class="btn"
            disabled={off}
            onClick={() => groupOp('/keys/restore-all-invalid', t('gk.restoredAll'))}
          >
            {t('gk.restoreAll')}
          </button>
        </WhichBar>
      </div>
      {task && validation.running && (
        <TaskProgress id="gk-progress" task={task} label="gk.validateProgress" />
      )}
      {validation.error && <ErrorBox message={validation.error} />}
      {notice && <NoticeBox notice={notice} onClose={() => setNotice(null)} />}
      <ClearKeys group={group} disabled={off} onClear={groupOp} />
    </section>
  )
}
