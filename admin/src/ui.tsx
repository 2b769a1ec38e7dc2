// Small shared pieces: loading an API resource with its error state, the error box, the copy
// button and the pager. Every failed load ends in a readable message with a retry, never blank.
import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { usePrefs } from './prefs'
import type { Paginated } from './types'

export interface Resource<T> {
  data: T | null
  error: string | null
  loading: boolean
  reload(): void
}

/** Runs `load` now and whenever `deps` change; the latest call wins if several overlap. */
export const useResource = <T,>(load: () => Promise<T>, deps: unknown[]): Resource<T> => {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let current = true
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (err: Error) => current && setState({ data: null, error: err.message, loading: false }),
    )
    return () => {
      current = false
    }
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { ...state, reload }
}

export const ErrorBox = ({ message, onRetry }: { message: string; onRetry?: () => void }) => {
  const { t } = usePrefs()
  return (
    <div class="alert alert-error" role="alert">
      <strong>{t('common.error')}:</strong> {message}
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  )
}

/** Renders the resource's data with `children`, or its loading / error state. */
export const Loaded = <T,>(props: {
  res: Resource<T>
  children: (data: T) => ComponentChildren
}) => {
  const { t } = usePrefs()
  const { res } = props
  if (res.error !== null) return <ErrorBox message={res.error} onRetry={res.reload} />
  if (res.data === null)
    return (
      <p class="muted" aria-live="polite">
        {t('common.loading')}
      </p>
    )
  return <>{props.children(res.data)}</>
}

/** Clipboard API where the page is a secure context; a hidden textarea elsewhere (plain http). */
const copyText = async (text: string) => {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text)
  const area = document.createElement('textarea')
  area.value = text
  document.body.append(area)
  area.select()
  document.execCommand('copy')
  area.remove()
}

export const CopyButton = (props: {
  text: string | (() => Promise<string>)
  /** The accessible name, when "Copy" alone would not say what is copied. */
  label?: string
  /** Visible text instead of "Copy". */
  caption?: string
}) => {
  const { t } = usePrefs()
  const [done, setDone] = useState(false)
  const copy = async () => {
    await copyText(typeof props.text === 'string' ? props.text : await props.text())
    setDone(true)
    setTimeout(() => setDone(false), 1500)
  }
  return (
    <button type="button" class="btn btn-small" onClick={copy} aria-label={props.label}>
      {done ? t('common.copied') : (props.caption ?? t('common.copy'))}
    </button>
  )
}

const Pager = (props: {
  pagination: Paginated<unknown>['pagination']
  onPage(page: number): void
}) => {
  const { t } = usePrefs()
  const { page, total_items: total } = props.pagination
  const pages = Math.max(1, props.pagination.total_pages)
  return (
    <div class="pager">
      <button
        type="button"
        class="btn btn-small"
        disabled={page <= 1}
        onClick={() => props.onPage(page - 1)}
      >
        {t('common.prev')}
      </button>
      <span aria-live="polite">{t('common.page', { page, pages, total })}</span>
      <button
        type="button"
        class="btn btn-small"
        disabled={page >= pages}
        onClick={() => props.onPage(page + 1)}
      >
        {t('common.next')}
      </button>
    </div>
  )
}

/** A loaded page of a list: `empty` when it has no items, else `children` with the pager under. */
export const Paged = <T,>(props: {
  res: Resource<Paginated<T>>
  empty: string
  onPage(page: number): void
  children: (items: T[]) => ComponentChildren
}) => (
  <Loaded res={props.res}>
    {(data) =>
      data.items.length === 0 ? (
        <p class="muted">{props.empty}</p>
      ) : (
        <>
          {props.children(data.items)}
          <Pager pagination={data.pagination} onPage={props.onPage} />
        </>
      )
    }
  </Loaded>
)

export const formatTime = (iso: string | null, lang: string) =>
  iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '—'
