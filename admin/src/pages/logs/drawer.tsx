// The detail drawer for one log row: a modal <dialog> (focus kept inside, Escape closes) at the
// side of the screen, with every field, the request body when recorded, and copy buttons.
import { useEffect, useRef } from 'preact/hooks'
import type { MessageId } from '../../i18n'
import { usePrefs } from '../../prefs'
import type { LogItem } from '../../types'
import { CopyButton, formatTime } from '../../ui'

type Field = Exclude<keyof LogItem, 'request_body' | 'group_id' | 'parent_group_id'>

const FIELDS: Field[] = [
  'timestamp',
  'is_success',
  'status_code',
  'request_type',
  'is_stream',
  'duration_ms',
  'group_name',
  'parent_group_name',
  'model',
  'key_value',
  'key_hash',
  'source_ip',
  'request_path',
  'upstream_addr',
  'user_agent',
  'error_message',
  'id',
]

/** Fields worth copying on their own (ids, keys, addresses, the error). */
const COPYABLE = new Set<Field>([
  'id',
  'key_value',
  'key_hash',
  'request_path',
  'upstream_addr',
  'error_message',
])

/** A JSON body indented for reading; anything else as recorded. */
const pretty = (body: string) => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return body
  }
}

export const LogDrawer = (props: { log: LogItem | null; onClose(): void }) => {
  const { t, lang } = usePrefs()
  const ref = useRef<HTMLDialogElement>(null)
  const { log } = props
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (log && !d.open) d.showModal()
    if (!log && d.open) d.close()
  }, [log])

  const show = (f: Field, l: LogItem): string => {
    const v = l[f]
    if (f === 'timestamp') return formatTime(l.timestamp, lang)
    if (f === 'is_success') return l.is_success ? t('logs.yes') : t('logs.no')
    if (f === 'request_type')
      return l.request_type === 'retry' ? t('logs.retried') : t('logs.final')
    if (f === 'is_stream') return l.is_stream ? t('logs.streamed') : t('logs.notStreamed')
    if (f === 'duration_ms') return `${l.duration_ms} ms`
    return v === '' || v === null || v === undefined ? t('logs.none') : String(v)
  }

  return (
    <dialog
      ref={ref}
      class="drawer"
      aria-labelledby="log-drawer-title"
      onClose={props.onClose}
      onClick={(e) => {
        // A click on the backdrop (the dialog box itself, outside its content) closes it.
        if (e.target === e.currentTarget) e.currentTarget.close()
      }}
    >
      {log && (
        <div class="drawer-body">
          <header class="drawer-head">
            <h2 id="log-drawer-title">{t('logs.detailTitle')}</h2>
            <CopyButton text={JSON.stringify(log, null, 2)} caption={t('logs.copyAll')} />
            <button type="button" class="btn btn-small" onClick={() => ref.current?.close()}>
              {t('logs.close')}
            </button>
          </header>
          <dl class="log-fields">
            {FIELDS.map((f) => (
              <div data-field={f}>
                <dt>{t(`logs.c.${f}` as MessageId)}</dt>
                <dd>
                  <span class={f === 'key_value' || f === 'key_hash' ? 'mono' : undefined}>
                    {show(f, log)}
                  </span>
                  {COPYABLE.has(f) && log[f] !== '' && (
                    <CopyButton
                      text={String(log[f])}
                      label={`${t('common.copy')} ${t(`logs.c.${f}` as MessageId)}`}
                    />
                  )}
                </dd>
              </div>
            ))}
          </dl>
          <h3>{t('logs.c.request_body')}</h3>
          {log.request_body ? (
            <>
              <pre class="log-body">{pretty(log.request_body)}</pre>
              <CopyButton text={log.request_body} caption={t('logs.copyBody')} />
            </>
          ) : (
            <p class="muted">{t('logs.noBody')}</p>
          )}
        </div>
      )}
    </dialog>
  )
}
