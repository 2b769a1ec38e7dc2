// Adding keys by pasted text: POST /api/keys/add-async starts the import, and GET /api/tasks/status
// is polled for the progress bar until the task ends (v1 polls every second; we poll faster so a
// small import does not look stuck).
import { useEffect, useRef, useState } from 'preact/hooks'
import { usePrefs, useSession } from '../prefs'
import type { Group, TaskStatus } from '../types'
import { ErrorBox } from '../ui'

const POLL_MS = 400

export const AddKeys = ({ group, onDone }: { group: Group; onDone(): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const [text, setText] = useState('')
  const [task, setTask] = useState<TaskStatus | null>(null)
  const [error, setError] = useState<string | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])

  const poll = async () => {
    try {
      const s = await api.get<TaskStatus>('/tasks/status')
      setTask(s)
      if (s.is_running) timer.current = setTimeout(poll, POLL_MS)
      else {
        if (s.error) setError(t('add.failed', { error: s.error }))
        else setText('')
        onDone()
      }
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      setTask(
        await api.post<TaskStatus>('/keys/add-async', { group_id: group.id, keys_text: text }),
      )
      timer.current = setTimeout(poll, POLL_MS)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const running = task?.is_running === true
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
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        {task && (
          <div class="progress" role="status">
            <label for="add-progress">
              {t('add.progress', {
                group: task.group_name,
                done: task.processed,
                total: task.total,
              })}
            </label>
            <progress id="add-progress" max={Math.max(1, task.total)} value={task.processed} />
          </div>
        )}
        {result && (
          <p class="alert alert-ok" role="status">
            {t('add.done', { added: result.added_count ?? 0, ignored: result.ignored_count ?? 0 })}
          </p>
        )}
        {error && <ErrorBox message={error} />}
        <button type="submit" class="btn btn-primary" disabled={running || text.trim() === ''}>
          {t('add.submit')}
        </button>
      </form>
    </section>
  )
}
