// Adding keys by pasted text or a `.txt` upload: POST /api/keys/add-async (JSON, or multipart with
// group_id and file) starts the import, and the task status feeds the progress bar.
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../prefs'
import type { Group } from '../types'
import { ErrorBox } from '../ui'
import { TaskProgress, useTask } from './keys/use-task'

export const AddKeys = ({ group, onDone }: { group: Group; onDone(): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const [text, setText] = useState('')
  const [file, setFile] = useState<File | null>(null)
  // Bumped to empty the file input after an import (a file input cannot be set from code).
  const [fileField, setFileField] = useState(0)
  const { task, error, running, start } = useTask((s) => {
    if (!s.error) {
      setText('')
      setFile(null)
      setFileField((n) => n + 1)
    }
    onDone()
  })

  const submit = (e: Event) => {
    e.preventDefault()
    void start(() => {
      if (file === null) {
        return api.post('/keys/add-async', { group_id: group.id, keys_text: text })
      }
      const form = new FormData()
      form.set('group_id', String(group.id))
      form.set('file', file)
      return api.upload('/keys/add-async', form)
    })
  }

  const result = !running && task?.result ? task.result : null
  return (
    <section class="card" aria-labelledby="add-title">
      <h2 id="add-title">{t('add.title')}</h2>
      <form onSubmit={submit}>
        <label class="field">
          <span>{t('add.text')}</span>
          <textarea
            name="keys_text"
            rows={5}
            spellcheck={false}
            value={text}
            disabled={file !== null}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <div class="field">
          <label for="add-file">{t('add.file')}</label>
          <input
            key={fileField}
            id="add-file"
            type="file"
            accept=".txt,text/plain"
            aria-describedby="add-file-hint"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
          <small id="add-file-hint" class="muted">
            {t('add.fileHint')}
          </small>
        </div>
        {task && <TaskProgress id="add-progress" task={task} label="add.progress" />}
        {result && (
          <p class="alert alert-ok" role="status">
            {t('add.done', { added: result.added_count ?? 0, ignored: result.ignored_count ?? 0 })}
          </p>
        )}
        {task?.error && !running && <ErrorBox message={t('add.failed', { error: task.error })} />}
        {error && <ErrorBox message={error} />}
        <button
          type="submit"
          class="btn btn-primary"
          disabled={running || (file === null && text.trim() === '')}
        >
          {t('add.submit')}
        </button>
      </form>
    </section>
  )
}
