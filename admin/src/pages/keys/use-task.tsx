// A key task (import, validation) as the console follows it: start it, then poll
// GET /api/tasks/status for the progress bar until it ends (v1 polls every second; we poll
// faster so a small task does not look stuck).
import { useEffect, useRef, useState } from 'preact/hooks'
import type { MessageId } from '../../i18n'
import { usePrefs, useSession } from '../../prefs'
import type { TaskStatus } from '../../types'

const POLL_MS = 400

export const useTask = (onEnd: (status: TaskStatus) => void) => {
  const { api } = useSession()
  const [task, setTask] = useState<TaskStatus | null>(null)
  const [error, setError] = useState<string | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  // The latest callback, so a poll that started before a re-render calls the current one.
  const end = useRef(onEnd)
  end.current = onEnd
  useEffect(() => () => clearTimeout(timer.current), [])

  const poll = async () => {
    try {
      const s = await api.get<TaskStatus>('/tasks/status')
      setTask(s)
      if (s.is_running) timer.current = setTimeout(poll, POLL_MS)
      else end.current(s)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const start = async (begin: () => Promise<TaskStatus>) => {
    clearTimeout(timer.current)
    setError(null)
    try {
      setTask(await begin())
      timer.current = setTimeout(poll, POLL_MS)
    } catch (err) {
      setTask(null)
      setError((err as Error).message)
    }
  }

  return { task, error, running: task?.is_running === true, start }
}

/** The progress bar of a task, labelled by `label` (given the group, done and total). */
export const TaskProgress = (props: { id: string; label: MessageId; task: TaskStatus }) => {
  const { t } = usePrefs()
  const { task } = props
  const vars = { group: task.group_name, done: task.processed, total: task.total }
  return (
    <div class="progress" role="status">
      <label for={props.id}>{t(props.label, vars)}</label>
      <progress id={props.id} max={Math.max(1, task.total)} value={task.processed} />
    </div>
  )
}
